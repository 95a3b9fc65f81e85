import { LRUCache } from 'lru-cache';
import { UuidWindow } from './uuid-window.js';

/**
 * The bounded window of recently forwarded eventIds (FRESHET_DEDUP_WINDOW; 0 keeps none across
 * batches): the last `capacity` UUIDs (as 128-bit keys, uuid-window.ts) and the last `capacity` ids of any
 * other form (as strings), so at least the last `capacity` eventIds whatever their form. A batch asks through
 * a DedupBatch and commits it only after its output was acknowledged: a batch retried after a failed
 * produce must not find its own events in the window (DESIGN §4.3, §4.5).
 */
export class DedupWindow {
  private readonly uuids: UuidWindow | null;
  private readonly others: LRUCache<string, true> | null;

  constructor(readonly capacity: number) {
    this.uuids = capacity > 0 ? new UuidWindow(capacity) : null;
    this.others = capacity > 0 ? new LRUCache<string, true>({ max: capacity }) : null;
  }

  /** Dedup of one batch attempt; nothing it sees reaches the window before commit(). */
  batch(): DedupBatch {
    return new DedupBatch(this);
  }

  has(eventId: string): boolean {
    if (this.uuids === null || this.others === null) return false;
    // A UUID is only ever held by the UUID window: the string LRU is asked for other ids alone.
    return this.uuids.lookup(eventId) ?? this.others.has(eventId);
  }

  get size(): number {
    return (this.uuids?.size ?? 0) + (this.others?.size ?? 0);
  }

  /** @internal DedupBatch.commit() */
  add(eventIds: Iterable<string>): void {
    if (this.uuids === null || this.others === null) return;
    for (const id of eventIds) if (!this.uuids.add(id)) this.others.set(id, true);
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
