import type { EmbedRequest } from '@freshet/schemas';
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
 * Every text's record is covered when this resolves.
 */
export async function resolveLatest(
  requests: readonly EmbedRequest[],
  records: readonly InFlightRecord[] | null,
  inFlight: InFlightRecords,
  sources: VectorSources,
  refused: (request: EmbedRequest) => boolean,
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
  // Superseders found not covered: they supersede nothing in later rounds.
  const uncovered = new Set<InFlightRecord>();
  let open = requests.flatMap((r, i) => (needsVector(r) ? [i] : []));
  while (open.length > 0) {
    const fates = records ? decide(open, records, inFlight, uncovered) : new Map<number, Decided>();
    const keep = open.filter((i) => !fates.has(i));
    if (keep.length > 0) {
      const resolution = await resolveVectors(
        keep.map((i) => requests[i]!),
        sources,
        onLookupError,
      );
      merge(total, resolution);
    }
    for (const i of keep) {
      const hash = requests[i]!.contentHash;
      const vector = hash ? total.byHash.get(hash) : undefined;
      records?.[i]?.cover(vector !== undefined && vector.length > 0 && !refused(requests[i]!));
    }
    const again: number[] = [];
    await Promise.all(
      [...fates].map(async ([i, fate]) => {
        const record = records![i]!;
        if (fate.kind === 'delete' || (await fate.by.covered)) {
          total.skipped.set(i, fate.kind);
          record.cover(true);
          return;
        }
        // Its superseder will not reach the writer: this text is decided again without it. Its own dependants
        // are not kept waiting for that (they embed their text instead).
        uncovered.add(fate.by);
        record.cover(false);
        again.push(i);
      }),
    );
    open = again;
  }
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
