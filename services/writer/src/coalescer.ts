import type { RejectedRow, WriteSet } from './store.js';

/** Applies one merged write set to Milvus; resolves with the rows Milvus refused. */
export type FlushWrites = (set: WriteSet) => Promise<{ rejected: RejectedRow[] }>;

interface Waiting {
  set: WriteSet;
  resolve(result: { rejected: RejectedRow[] }): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the writer's partitions: one flush at a time (Milvus Lite 3.2.2 tears its WAL when
 * writes overlap), and every write set submitted while a flush runs goes into the next one, merged. The
 * partitions of one fetch then cost one upsert, one partial update and one delete together instead of
 * one of each per partition in a row (the bench's writer hop: most of the freshness was that queue).
 *
 * Merging is safe because a product's records all travel one partition, and kafkajs never runs two
 * batches of a partition at once: the sets of one flush touch disjoint products. A failed flush rejects
 * every set in it (each batch retries on its own, uncommitted); refused rows go back to their own set.
 */
export class WriteCoalescer {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly flush: FlushWrites) {}

  submit(set: WriteSet): Promise<{ rejected: RejectedRow[] }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ set, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          const { rejected } = await this.flush(merge(group.map((w) => w.set)));
          const refused = new Map(rejected.map((r) => [r.productId, r]));
          for (const w of group) {
            const ids = [...w.set.upserts, ...w.set.partials].map((r) => r.productId);
            w.resolve({ rejected: ids.flatMap((id) => refused.get(id) ?? []) });
          }
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

function merge(sets: readonly WriteSet[]): WriteSet {
  if (sets.length === 1) return sets[0]!;
  return {
    upserts: sets.flatMap((s) => s.upserts),
    partials: sets.flatMap((s) => s.partials),
    deletes: sets.flatMap((s) => s.deletes),
  };
}
