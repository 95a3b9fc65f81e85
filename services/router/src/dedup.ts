import { LRUCache } from 'lru-cache';

/**
 * The bounded window of recently forwarded eventIds (FRESHET_DEDUP_WINDOW; 0 keeps none across
 * batches). A batch asks through a DedupBatch and commits it only after its output was acknowledged:
 * a batch retried after a failed produce must not find its own events in the window (DESIGN §4.3, §4.5).
 */
export class DedupWindow {
  private readonly seen: LRUCache<string, true> | null;

  constructor(readonly capacity: number) {
    this.seen = capacity > 0 ? new LRUCache<string, true>({ max: capacity }) : null;
  }

  /** Dedup of one batch attempt; nothing it sees reaches the window before commit(). */
  batch(): DedupBatch {
    return new DedupBatch(this);
  }

  has(eventId: string): boolean {
    return this.seen?.has(eventId) ?? false;
  }

  get size(): number {
    return this.seen?.size ?? 0;
  }

  /** @internal DedupBatch.commit() */
  add(eventIds: Iterable<string>): void {
    if (this.seen === null) return;
    for (const id of eventIds) this.seen.set(id, true);
  }
}

export class DedupBatch {
  private readonly pending = new Set<string>();
  private committed = false;

  constructor(private readonly window: DedupWindow) {}

  /** True when the eventId was forwarded before or earlier in this batch; otherwise claims it for this batch. */
  isDuplicate(eventId: string): boolean {
    if (this.pending.has(eventId) || this.window.has(eventId)) return true;
    this.pending.add(eventId);
    return false;
  }

  /** Call once the batch's forwards are acknowledged by Kafka: only now do its eventIds count as seen. */
  commit(): void {
    if (this.committed) return;
    this.committed = true;
    this.window.add(this.pending);
  }
}
