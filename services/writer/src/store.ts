import type { ProductRow } from '@freshet/milvus';
import type { IndexedState, PriceStock } from './collapse.js';

/** A full product row for Milvus (DESIGN §5), absent values as null. */
export type WriterRow = ProductRow & {
  vector: Float32Array;
  /** Highest input-topic offset applied (see collapseByVersion); null when unknown. */
  sourceOffset: number | null;
};

export interface PartialRow {
  productId: string;
  fields: PriceStock;
  version: number;
  occurredAt: number;
  indexedAt: number;
  sourceOffset: number | null;
}

export interface DeleteRow {
  productId: string;
  tombstoneVersion: number | null;
  deletedAt: number;
}

export interface RejectedRow {
  productId: string;
  code: string;
  message: string;
}

/** One batch's Milvus mutations; each product appears in at most one of the three lists. */
export interface WriteSet {
  upserts: WriterRow[];
  partials: PartialRow[];
  deletes: DeleteRow[];
}

/**
 * What the writer needs from Milvus. Outages reject with an error whose `canRetry` is true (the batch is
 * retried, nothing committed); rows Milvus refuses come back in `rejected` (DLQ, then commit).
 */
export interface WriterStore {
  loadStates(productIds: string[]): Promise<Map<string, IndexedState>>;
  /** Resolves once Milvus acknowledged every write of the set. */
  apply(set: WriteSet): Promise<{ rejected: RejectedRow[] }>;
}
