import { type MilvusClient, toMilvusPartial, toMilvusRow } from '@freshet/milvus';
import { catalogRow, type ModelSpec } from './workload.js';

export interface CeilingPoint {
  op: 'upsert' | 'partial';
  batch: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface CatalogFill {
  points: CeilingPoint[];
  rows: number;
  seconds: number;
}

async function timedBatches(
  rows: number,
  batch: number,
  send: (from: number, to: number) => Promise<void>,
  from: number,
): Promise<{ seconds: number }> {
  const started = performance.now();
  for (let i = from; i < from + rows; i += batch) await send(i, Math.min(from + rows, i + batch));
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * Writes the warm catalog straight into Milvus with the SDK (the rows the writer would have written at
 * version 1) and measures, on those rows, the upsert rate of each batch size: Milvus's own ceiling.
 * The rest of the catalog goes at the best batch size.
 */
export async function fillCatalog(
  client: MilvusClient,
  collection: string,
  spec: ModelSpec,
  options: { seed: number; size: number; batches: readonly number[]; rowsPerTrial: number },
): Promise<CatalogFill> {
  const now = Date.now();
  const send = async (from: number, to: number) => {
    const data = [];
    for (let i = from; i < to; i++) data.push(toMilvusRow(catalogRow(options.seed, i, spec, now)));
    const result = await client.upsert({ collection_name: collection, data });
    if (result.status.error_code !== 'Success')
      throw new Error(`upsert failed: ${result.status.reason || result.status.error_code}`);
  };
  const started = performance.now();
  const points: CeilingPoint[] = [];
  let next = 0;
  for (const batch of options.batches) {
    // Per-row calls are ~10× slower: fewer rows keep the trial short.
    const rows = Math.min(
      options.size - next,
      batch === 1 ? Math.ceil(options.rowsPerTrial / 20) : options.rowsPerTrial,
    );
    if (rows <= 0) break;
    const { seconds } = await timedBatches(rows, batch, send, next);
    points.push({ op: 'upsert', batch, rows, seconds, rowsPerSecond: rows / seconds });
    next += rows;
  }
  const best = bestPoint(points, 'upsert');
  if (next < options.size) await timedBatches(options.size - next, best?.batch ?? 500, send, next);
  return { points, rows: options.size, seconds: (performance.now() - started) / 1000 };
}

/** Partial updates (price/stock, no vector) of catalog rows, rewriting the values they already hold. */
export async function partialCeiling(
  client: MilvusClient,
  collection: string,
  spec: ModelSpec,
  options: { seed: number; rows: number; batch: number },
): Promise<CeilingPoint> {
  const now = Date.now();
  const { seconds } = await timedBatches(
    options.rows,
    options.batch,
    async (from, to) => {
      const data = [];
      for (let i = from; i < to; i++) {
        const row = catalogRow(options.seed, i, spec, now);
        data.push(
          toMilvusPartial({
            productId: row.productId,
            version: row.version,
            occurredAt: row.occurredAt,
            indexedAt: now,
            priceMinor: row.priceMinor,
            currency: row.currency,
            stock: row.stock,
          }),
        );
      }
      const result = await client.upsert({ collection_name: collection, data, partial_update: true });
      if (result.status.error_code !== 'Success')
        throw new Error(`partial upsert failed: ${result.status.reason || result.status.error_code}`);
    },
    0,
  );
  return {
    op: 'partial',
    batch: options.batch,
    rows: options.rows,
    seconds,
    rowsPerSecond: options.rows / seconds,
  };
}

export function bestPoint(points: readonly CeilingPoint[], op: CeilingPoint['op']): CeilingPoint | undefined {
  return points
    .filter((p) => p.op === op)
    .reduce<CeilingPoint | undefined>((a, b) => (a && a.rowsPerSecond >= b.rowsPerSecond ? a : b), undefined);
}

/**
 * Milvus's ceiling for a mix of writes: 1 / Σ fᵢ / rᵢ, full rows (creates, text edits; deletes counted
 * as one tombstone upsert) at the best upsert rate and price/stock at the partial-update rate.
 */
export function mixCeiling(
  fullFraction: number,
  partialFraction: number,
  full: number,
  partial: number,
): number {
  return 1 / (fullFraction / full + partialFraction / partial);
}
