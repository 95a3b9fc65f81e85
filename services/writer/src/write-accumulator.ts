import { backoffDelay, sleep } from '@freshet/kafka';

interface Waiting<T> {
  item: T;
  signal: AbortSignal;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Batches on their way to Milvus: one group at a time, and every batch that arrives while a group is in
 * Milvus joins the next group, so the writer fetches on without waiting and still writes big batches. Order
 * holds per product: a product's records all travel one partition, whose batches arrive in order, and
 * different partitions hold different products. A failed group is retried in place with backoff, the
 * batches behind it waiting: retrying batches on their own could apply a product's later batch first. A batch whose signal aborted (stop, revocation) is given up when
 * its group fails instead of being retried.
 */
export class WriteAccumulator<T> {
  private waiting: Array<Waiting<T>> = [];
  private running = false;

  constructor(
    private readonly apply: (items: T[]) => Promise<void>,
    private readonly options: {
      retry: { baseMs: number; maxMs: number };
      onRetry(error: unknown, attempt: number, delayMs: number): void;
    },
  ) {}

  /** Resolves once the group holding `item` was applied; rejects only if `signal` aborted and it failed. */
  submit(item: T, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, signal, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        let group = this.waiting;
        this.waiting = [];
        for (let attempt = 0; ; attempt++) {
          // An aborted batch still gets its attempt (a graceful stop flushes what it fetched); it is given
          // up only once Milvus failed it.
          try {
            await this.apply(group.map((w) => w.item));
            for (const w of group) w.resolve();
            break;
          } catch (error) {
            group = this.dropAborted(group);
            if (group.length === 0) break;
            const delayMs = backoffDelay(attempt, this.options.retry.baseMs, this.options.retry.maxMs);
            this.options.onRetry(error, attempt, delayMs);
            await sleep(delayMs, AbortSignal.any(group.map((w) => w.signal))).catch(() => {});
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private dropAborted(group: Array<Waiting<T>>): Array<Waiting<T>> {
    return group.filter((w) => {
      if (!w.signal.aborted) return true;
      w.reject(w.signal.reason ?? new Error('aborted'));
      return false;
    });
  }
}
