import {
  contentHash,
  embeddingText,
  type Product,
  type ProductEvent,
  UNKNOWN_VERSION,
} from '@freshet/schemas';
import type { StreamItem } from './pipeline.js';

export interface Expected {
  version: number;
  product: Product;
}

/**
 * The final state DESIGN §4 demands, folding each product's events in produce order: not newer than
 * what is known → nothing; partials need an existing product; deletes are remembered by version;
 * a tombstone deletes without a version. `rejected` event ids (bad inputs) change nothing.
 */
export function buildOracle(
  items: readonly StreamItem[],
  rejected: ReadonlySet<string> = new Set(),
): Map<string, Expected | null> {
  const state = new Map<string, { version: number; product: Product | null }>();
  const seenEvents = new Set<string>();
  for (const item of items) {
    if (item.kind === 'tombstone') {
      const s = state.get(item.productId);
      state.set(item.productId, { version: s?.version ?? Number.NEGATIVE_INFINITY, product: null });
      continue;
    }
    const e: ProductEvent = item.event;
    if (rejected.has(e.eventId) || seenEvents.has(e.eventId)) continue;
    seenEvents.add(e.eventId);
    const s = state.get(e.productId) ?? { version: Number.NEGATIVE_INFINITY, product: null };
    if (e.version === UNKNOWN_VERSION || e.version <= s.version) continue;
    if (e.type === 'CREATE' || e.type === 'UPDATE')
      state.set(e.productId, { version: e.version, product: e.product });
    else if (e.type === 'DELETE') state.set(e.productId, { version: e.version, product: null });
    else if (s.product) {
      const product =
        e.type === 'PRICE_CHANGE' ? { ...s.product, price: e.price } : { ...s.product, stock: e.stock };
      state.set(e.productId, { version: e.version, product });
    }
  }
  return new Map(
    [...state].map(([id, s]) => [id, s.product ? { version: s.version, product: s.product } : null]),
  );
}

export interface ActualRow {
  productId: string;
  version: number;
  title: string;
  category: string | null;
  brand: string | null;
  priceMinor: number | null;
  currency: string | null;
  stock: number | null;
  contentHash: string;
}

export interface Diff {
  lost: string[];
  stale: string[];
  ghost: string[];
}

export function diffAgainst(
  oracle: Map<string, Expected | null>,
  rows: readonly ActualRow[],
  model: { model: string; dimension: number; templateVersion: number; attributes: readonly string[] },
): Diff {
  const byId = new Map(rows.map((r) => [r.productId, r]));
  const diff: Diff = { lost: [], stale: [], ghost: [] };
  for (const [id, expected] of oracle) {
    const row = byId.get(id);
    if (!expected) {
      if (row) diff.ghost.push(id);
      continue;
    }
    if (!row) {
      diff.lost.push(id);
      continue;
    }
    const p = expected.product;
    const hash = contentHash(
      embeddingText(p, { templateVersion: model.templateVersion, attributes: model.attributes }),
      model,
    );
    const same =
      row.version === expected.version &&
      row.title === p.title &&
      row.category === p.category &&
      row.brand === p.brand &&
      row.priceMinor === (p.price?.amountMinor ?? null) &&
      row.currency === (p.price?.currency ?? null) &&
      row.stock === p.stock &&
      row.contentHash === hash;
    if (!same) diff.stale.push(id);
  }
  for (const id of byId.keys()) if (!oracle.has(id)) diff.ghost.push(id);
  return diff;
}
