import { backoffDelay, sleep } from './backoff.js';
import type { PendingBatch } from './stage-runner.js';

/**
 * Per key (productId), the settling of the latest pending batch that holds it. A batch handed on as
 * pending must not write a key's outputs before the key's earlier batches did: it waits for `before(keys)`.
 */
export class KeyedChain {
  private readonly tails = new Map<string, Promise<boolean>>();

  /** Whether `key` has a batch in flight. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Settles when every earlier batch holding one of `keys` has settled (never rejects): true when they all
   * succeeded, false when one was given up, whose outputs a later batch must then not overtake.
   */
  before(keys: Iterable<string>): Promise<boolean> {
    const waits: Array<Promise<boolean>> = [];
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail) waits.push(tail);
    }
    return Promise.all(waits).then((outcomes) => outcomes.every(Boolean));
  }

  /** Records `done` as the latest batch of `keys`; forgets it once settled, unless a later one took over. */
  hold(keys: Iterable<string>, done: Promise<unknown>): void {
    const settled = done.then(
      () => true,
      () => false,
    );
    const held = [...keys];
    for (const key of held) this.tails.set(key, settled);
    void settled.then(() => {
      for (const key of held) if (this.tails.get(key) === settled) this.tails.delete(key);
    });
  }
}

/**
 * Runs a pending batch's work until it succeeds, retrying with exponential backoff and full jitter (an
 * outage: the stage pauses its partitions meanwhile), and gives up only when `signal` aborts (stop,
 * revocation): then `done` rejects and the runner commits nothing from this batch on.
 */
export function retryUntilDone(
  work: () => Promise<void>,
  options: {
    signal: AbortSignal;
    retry: { baseMs: number; maxMs: number };
    onRetry(error: unknown, attempt: number, delayMs: number): void;
  },
): PendingBatch {
  const done = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (options.signal.aborted) throw error;
        const delayMs = backoffDelay(attempt, options.retry.baseMs, options.retry.maxMs);
        options.onRetry(error, attempt, delayMs);
        await sleep(delayMs, options.signal);
      }
    }
  })();
  return { done };
}

/** A stable label for an error in metrics: its `code`, else its name. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}
