import { type IndexWrite, UNKNOWN_VERSION } from '@freshet/schemas';
import type { IndexedState } from './store.js';

export interface PriceStock {
  priceMinor?: number | null;
  currency?: string | null;
  stock?: number | null;
}

export type WriteOutcome = 'applied' | 'stale' | 'missing';

/**
 * A write with the input-topic offset of the event it came from (the `freshet-source-offset` header), or
 * null when unknown. Offsets order a product's events (one key, one input partition) where versions cannot:
 * a Kafka tombstone has no version.
 */
export type GuardedWrite = IndexWrite & { sourceOffset?: number | null };

/** The single Milvus action that leaves a product as if its writes were applied one by one. */
export type ProductPlan =
  | { kind: 'upsert'; write: IndexWrite; version: number; sourceOffset: number | null }
  | {
      kind: 'partial';
      productId: string;
      fields: PriceStock;
      version: number;
      occurredAt: number;
      sourceOffset: number | null;
    }
  | { kind: 'delete'; productId: string; tombstoneVersion: number | null }
  | { kind: 'none'; productId: string };

export interface CollapsedProduct {
  plan: ProductPlan;
  /** One outcome per input write, in input order (for metrics and freshness). */
  outcomes: WriteOutcome[];
}

/**
 * Collapses one product's writes of a batch (in partition order) into one action, with the rules of
 * DESIGN §4: an event not newer than what is indexed (row or tombstone) changes nothing; a partial
 * update cannot create a product; a delete is remembered by version; a tombstone of unknown version
 * deletes whatever is there without blocking anything newer. Equal to applying the writes one by one.
 *
 * A tombstone from at or before the indexed row's source offset is a redelivery (a crash between Milvus's
 * acknowledgement and the commit replays it ahead of writes it preceded): re-applying it would delete a
 * product re-created after it, whose CREATE the replay then finds stale. So it is stale too. The row keeps
 * the highest source offset applied to it.
 *
 * A row no newer than its product's tombstone is a leftover, deleted even when the batch holds nothing
 * newer than the tombstone: a delete cut short by an outage (tombstone written, row not yet deleted), or,
 * since the tombstones are shared by every physical collection of an alias, a delete the other side of a
 * blue/green re-index recorded first.
 */
export function collapseByVersion(writes: readonly GuardedWrite[], indexed: IndexedState): CollapsedProduct {
  const first = writes[0];
  if (!first) throw new Error('collapseByVersion needs at least one write');
  const productId = first.productId;
  const leftover =
    indexed.rowVersion !== null &&
    indexed.tombstoneVersion !== null &&
    indexed.tombstoneVersion >= indexed.rowVersion;
  let exists = indexed.rowVersion !== null && !leftover;
  let version = Math.max(
    indexed.rowVersion ?? Number.NEGATIVE_INFINITY,
    indexed.tombstoneVersion ?? Number.NEGATIVE_INFINITY,
  );
  let full: IndexWrite | null = null;
  let pending: PriceStock = {};
  let occurredAt = first.occurredAt;
  let deleted = leftover;
  let changed = leftover;
  let offset = exists ? (indexed.rowSourceOffset ?? null) : null;
  const outcomes: WriteOutcome[] = [];

  for (const w of writes) {
    const at = w.sourceOffset ?? null;
    if (w.op === 'DELETE' && w.version === UNKNOWN_VERSION) {
      if (at !== null && offset !== null && at <= offset) {
        outcomes.push('stale');
        continue;
      }
      if (exists || full) changed = true;
      exists = false;
      full = null;
      pending = {};
      deleted = true;
      offset = null;
      outcomes.push('applied');
      continue;
    }
    if (w.version <= version) {
      outcomes.push('stale');
      continue;
    }
    if (w.op === 'PARTIAL') {
      if (!exists) {
        outcomes.push('missing');
        continue;
      }
      const fields = partialFields(w);
      if (full !== null) {
        const base: IndexWrite = full;
        full = { ...base, ...fieldsToWrite(fields), version: w.version, occurredAt: w.occurredAt };
      } else pending = { ...pending, ...fields };
    } else if (w.op === 'UPSERT') {
      exists = true;
      full = w;
      pending = {};
      deleted = false;
    } else {
      exists = false;
      full = null;
      pending = {};
      deleted = true;
    }
    version = w.version;
    occurredAt = w.occurredAt;
    offset = w.op === 'DELETE' ? null : maxOffset(offset, at);
    changed = true;
    outcomes.push('applied');
  }

  let plan: ProductPlan;
  if (!changed) plan = { kind: 'none', productId };
  else if (full)
    plan = { kind: 'upsert', write: { ...full, version, occurredAt }, version, sourceOffset: offset };
  else if (exists)
    plan = { kind: 'partial', productId, fields: pending, version, occurredAt, sourceOffset: offset };
  else if (deleted)
    plan = { kind: 'delete', productId, tombstoneVersion: Number.isFinite(version) ? version : null };
  else plan = { kind: 'none', productId };
  return { plan, outcomes };
}

function maxOffset(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

function partialFields(w: IndexWrite): PriceStock {
  // PRICE_CHANGE carries price only and STOCK_UPDATE stock only (see the embedder's IndexWrite mapping).
  return w.eventType === 'PRICE_CHANGE'
    ? { priceMinor: w.priceMinor, currency: w.currency }
    : { stock: w.stock };
}

function fieldsToWrite(fields: PriceStock): Partial<IndexWrite> {
  const out: Partial<IndexWrite> = {};
  if ('priceMinor' in fields) out.priceMinor = fields.priceMinor ?? null;
  if ('currency' in fields) out.currency = fields.currency ?? null;
  if ('stock' in fields) out.stock = fields.stock ?? null;
  return out;
}

/** Groups a batch's writes by product, keeping partition order inside each group. */
export function groupByProduct<W extends IndexWrite>(writes: readonly W[]): Map<string, W[]> {
  const groups = new Map<string, W[]>();
  for (const w of writes) {
    const list = groups.get(w.productId);
    if (list) list.push(w);
    else groups.set(w.productId, [w]);
  }
  return groups;
}
