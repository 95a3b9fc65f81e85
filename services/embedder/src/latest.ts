import type { EmbedderRequest } from '@freshet/schemas';
import type { InFlightRecord, InFlightRecords } from './in-flight-records.js';
import { needsVector } from './index-write.js';
import { type Fate, fatesOfTexts } from './supersede.js';
import { resolveVectors, type VectorResolution, type VectorSources } from './vectors.js';

/** How a text of the batch leaves the embedder when it is not embedded (see Fate). */
export type Skipped = 'superseded' | 'delete';

export interface LatestResolution extends VectorResolution {
  /** Per index of the batch's requests: the texts not embedded because a newer record makes them redundant. */
  skipped: Map<number, Skipped>;
}

/**
 * Resolves the vectors of a batch's texts that the index still needs (DESIGN §3 "Latest state"): a text
 * superseded by a record among those in flight (see fatesOfTexts) is not embedded. A text superseded by
 * another text is let go only once that one is covered (embedded, or itself superseded by a covered record);
 * when it is not (the API refused it: it goes to the DLQ; its batch was given up), the superseded text is
 * decided again without it, and embedded if nothing else supersedes it: the DLQ'd record leaves the index as
 * it would have been without it, never without the text before it.
 *
 * `records[i]` is `requests[i]`'s in-flight record (null: no supersession, e.g. a batch finished at once).
 * Every text's record is covered when this resolves. A throw (an outage) leaves the records not yet decided
 * uncovered: the batch is retried, and decided again with what is in flight then.
 */
export async function resolveLatest(
  requests: readonly EmbedderRequest[],
  records: readonly InFlightRecord[] | null,
  inFlight: InFlightRecords,
  sources: VectorSources,
  refused: (request: EmbedderRequest) => boolean,
  onLookupError?: (error: unknown) => void,
): Promise<LatestResolution> {
  const total: LatestResolution = {
    byHash: new Map(),
    indexedHashes: new Map(),
    cacheHits: 0,
    indexedHits: 0,
    embedded: 0,
    skipped: new Map(),
  };
  // Superseders found not covered: they supersede nothing when a text is decided again.
  const uncovered = new Set<InFlightRecord>();
  const texts = requests.flatMap((r, i) => (needsVector(r) ? [i] : []));
  const resolve = async (indexes: readonly number[]) => {
    if (indexes.length === 0) return;
    merge(
      total,
      await resolveVectors(
        indexes.map((i) => requests[i]!),
        sources,
        onLookupError,
      ),
    );
    for (const i of indexes) {
      const hash = requests[i]!.contentHash;
      const vector = hash ? total.byHash.get(hash) : undefined;
      records?.[i]?.cover(vector !== undefined && vector.length > 0 && !refused(requests[i]!));
    }
  };
  const fates = records ? decide(texts, records, inFlight, uncovered) : new Map<number, Decided>();
  // The texts still needed are embedded together (one call for the batch, as without the rule).
  await resolve(texts.filter((i) => !fates.has(i)));
  // Each superseded text then follows its superseder on its own: a superseder not covered sends it back to be
  // decided again (and embedded alone if nothing else supersedes it). Superseders have higher versions, so
  // these waits never go round in a circle.
  await Promise.all(
    [...fates].map(async ([i, first]) => {
      const record = records![i]!;
      for (let fate: Decided | undefined = first; ; ) {
        if (fate === undefined) {
          await resolve([i]);
          return;
        }
        if (fate.kind === 'delete' || (await fate.by.covered)) {
          total.skipped.set(i, fate.kind);
          record.cover(true);
          return;
        }
        uncovered.add(fate.by);
        fate = decide([i], records!, inFlight, uncovered).get(i);
      }
    }),
  );
  return total;
}

type Decided = { kind: 'superseded'; by: InFlightRecord } | { kind: 'delete' };

/** The fates of the texts at `open`, each against its product's records in flight. */
function decide(
  open: readonly number[],
  records: readonly InFlightRecord[],
  inFlight: InFlightRecords,
  uncovered: ReadonlySet<InFlightRecord>,
): Map<number, Decided> {
  const byGroup = new Map<readonly InFlightRecord[], Map<number, Fate>>();
  const out = new Map<number, Decided>();
  for (const i of open) {
    const record = records[i]!;
    const group = inFlight.productOf(record);
    let fates = byGroup.get(group);
    if (!fates) {
      fates = fatesOfTexts(group, (j) => uncovered.has(group[j]!) || group[j]!.verdict === false);
      byGroup.set(group, fates);
    }
    const fate = fates.get(group.indexOf(record));
    if (fate?.kind === 'superseded') out.set(i, { kind: 'superseded', by: group[fate.by]! });
    else if (fate) out.set(i, fate);
  }
  return out;
}

function merge(total: VectorResolution, part: VectorResolution): void {
  for (const [hash, vector] of part.byHash) total.byHash.set(hash, vector);
  for (const [id, hash] of part.indexedHashes) total.indexedHashes.set(id, hash);
  total.cacheHits += part.cacheHits;
  total.indexedHits += part.indexedHits;
  total.embedded += part.embedded;
}
