import { allRows, getRows, type IndexModel, type MilvusClient, searchProducts } from '@freshet/milvus';

/** productId → indexed version. */
export type Snapshot = Map<string, number>;

export interface Mismatch {
  productId: string;
  /** null: absent on that side. */
  old: number | null;
  new: number | null;
}

/** Every product whose presence or version differs between the old and the new collection. */
export function compareSnapshots(oldSide: Snapshot, newSide: Snapshot): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [id, v] of oldSide) {
    const n = newSide.get(id) ?? null;
    if (n !== v) out.push({ productId: id, old: v, new: n });
  }
  for (const [id, n] of newSide) if (!oldSide.has(id)) out.push({ productId: id, old: null, new: n });
  return out.sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/**
 * Mismatches seen identically in two consecutive rounds: neither pipeline moved those products in between,
 * so they are real divergence, not writes in flight (under live traffic the two sides are never read at
 * the same instant, so a single round is rarely clean).
 */
export function persistentMismatches(
  previous: readonly Mismatch[],
  current: readonly Mismatch[],
): Mismatch[] {
  const before = new Map(previous.map((m) => [m.productId, m]));
  return current.filter((m) => {
    const p = before.get(m.productId);
    return p !== undefined && p.old === m.old && p.new === m.new;
  });
}

export async function snapshot(client: MilvusClient, collection: string): Promise<Snapshot> {
  const rows = await allRows(client, collection);
  return new Map(rows.map((r) => [r.productId, r.version]));
}

export interface CountCheck {
  oldCount: number;
  newCount: number;
  rounds: number;
  /** Mismatches of the last round (in flight or not), for the report. */
  lastRound: Mismatch[];
}

export class ReindexVerificationError extends Error {
  override readonly name = 'ReindexVerificationError';
  readonly code = 'FRESHET_REINDEX_VERIFY';
  constructor(
    message: string,
    readonly mismatches: readonly Mismatch[],
  ) {
    super(message);
  }
}

/**
 * Compares the old and the new collection product by product (presence and version) in rounds
 * `intervalMs` apart until two consecutive rounds share no mismatch; throws ReindexVerificationError with
 * the persistent ones after `rounds` rounds.
 */
export async function verifyConverged(
  client: MilvusClient,
  collections: { old: string; new: string },
  options: { rounds: number; intervalMs: number },
): Promise<CountCheck> {
  let previous: Mismatch[] | null = null;
  let last: { oldCount: number; newCount: number; mismatches: Mismatch[] } | null = null;
  for (let round = 1; round <= options.rounds; round++) {
    const [o, n] = await Promise.all([snapshot(client, collections.old), snapshot(client, collections.new)]);
    const mismatches = compareSnapshots(o, n);
    last = { oldCount: o.size, newCount: n.size, mismatches };
    if (mismatches.length === 0 || (previous && persistentMismatches(previous, mismatches).length === 0)) {
      return { oldCount: o.size, newCount: n.size, rounds: round, lastRound: mismatches };
    }
    previous = mismatches;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  const persistent = previous && last ? persistentMismatches(previous, last.mismatches) : [];
  throw new ReindexVerificationError(
    `${collections.new} does not match ${collections.old}: ${persistent.length} products differ (first: ${persistent
      .slice(0, 5)
      .map((m) => `${m.productId} old=${m.old ?? '-'} new=${m.new ?? '-'}`)
      .join(', ')}); products missing from the new side were not in the retained embed-requests history`,
    persistent,
  );
}

export interface SampleCheck {
  sampled: number;
  problems: string[];
}

/**
 * Reads the sampled rows of the new collection with their vectors and checks each: the new dimension,
 * finite values, the new model recorded, and a search with the row's own vector finds a perfect match (the
 * index is built and loaded). Under live traffic a row may be rewritten between the read and the search:
 * a product whose version moved meanwhile is read again (up to 3 times) instead of being reported.
 */
export async function checkSampleVectors(
  client: MilvusClient,
  collection: string,
  model: IndexModel,
  ids: readonly string[],
): Promise<SampleCheck> {
  const problems: string[] = [];
  let sampled = 0;
  for (const id of ids) {
    for (let attempt = 1; ; attempt++) {
      const [row] = await getRows(client, collection, [id]);
      if (!row) break; // deleted meanwhile: nothing to check
      const v = Array.from(row.vector);
      const found: string[] = [];
      if (v.length !== model.dimension) found.push(`${id}: dimension ${v.length}`);
      else if (!v.every(Number.isFinite)) found.push(`${id}: non-finite values`);
      if (row.model !== model.model) found.push(`${id}: model ${row.model}`);
      if (found.length === 0) {
        const [hit] = await searchProducts(client, collection, v, { k: 1 });
        if (!hit || hit.score < 0.999) found.push(`${id}: self-search scored ${hit?.score ?? 'none'}`);
      }
      const [again] = found.length > 0 ? await getRows(client, collection, [id]) : [row];
      if (found.length === 0 || again?.version === row.version || attempt >= 3) {
        problems.push(...found);
        sampled++;
        break;
      }
    }
  }
  return { sampled, problems };
}

/** Up to `size` ids spread evenly over the sorted ids (deterministic, covers the whole key range). */
export function spreadSample(ids: readonly string[], size: number): string[] {
  const sorted = [...ids].sort();
  if (sorted.length <= size) return sorted;
  const step = sorted.length / size;
  return Array.from({ length: size }, (_, i) => sorted[Math.floor(i * step)]!);
}
