import { LRUCache } from 'lru-cache';

/**
 * A bounded window of recently forwarded eventIds. `seen` answers, `remember` records — called only
 * after the forward was acknowledged, so a batch retried after a failed produce is not dropped as a
 * duplicate of itself.
 */
export class DedupWindow {
  private readonly ids: LRUCache<string, true> | null;

  constructor(size: number) {
    this.ids = size > 0 ? new LRUCache<string, true>({ max: size }) : null;
  }

  seen(eventId: string): boolean {
    return this.ids?.has(eventId) ?? false;
  }

  remember(eventIds: Iterable<string>): void {
    if (!this.ids) return;
    for (const id of eventIds) this.ids.set(id, true);
  }

  get size(): number {
    return this.ids?.size ?? 0;
  }
}
