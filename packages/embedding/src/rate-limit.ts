import { EmbeddingAbortedError } from './errors.js';
import { abortableSleep } from './retry.js';

/** Time, injectable so the budget logic is tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: abortableSleep,
};

/**
 * A budget per minute as a token bucket that refills continuously: full at start (a burst of one
 * minute's budget), `perMinute / 60_000` per ms after that.
 */
export class TokenBucket {
  private level: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.last = now;
    this.perMs = capacity / 60_000;
  }

  available(now: number): number {
    this.refill(now);
    return this.level;
  }

  /**
   * Ms until `amount` fits. An amount above the capacity could never fit: it waits for a full
   * bucket instead and then leaves the bucket in debt, which later requests pay back.
   */
  waitMs(amount: number, now: number): number {
    this.refill(now);
    const need = Math.min(amount, this.capacity);
    if (this.level >= need) return 0;
    return Math.ceil((need - this.level) / this.perMs);
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.level = Math.min(this.capacity, this.level + (now - this.last) * this.perMs);
      this.last = now;
    }
  }
}

export interface RateLimiterOptions {
  /** 0 or undefined: no request budget. */
  requestsPerMinute?: number | undefined;
  /** 0 or undefined: no token budget. */
  tokensPerMinute?: number | undefined;
  clock?: Clock;
  /** Called with the ms a request waited for budget, when it waited. */
  onThrottled?: (waitedMs: number) => void;
}

/** The right to send one request; `release()` once it has been answered (or has failed). */
export interface Permit {
  readonly waitedMs: number;
  release(): void;
}

const FREE: Permit = { waitedMs: 0, release: () => undefined };

/**
 * RPM and TPM budgets of the embedding API, honoured before sending rather than discovered by 429s.
 * Requests acquire in arrival order, so a large request is not starved by a stream of small ones.
 */
export class RateLimiter {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;
  private readonly clock: Clock;
  private queue: Promise<unknown> = Promise.resolve();
  /** Clock time before which nothing is sent: the API's Retry-After applies to the key, not to one request. */
  private holdUntil = Number.NEGATIVE_INFINITY;
  /** A hold was set and no request has gone since: the next one goes alone (below). */
  private afterHold = false;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const now = this.clock.now();
    const rpm = options.requestsPerMinute ?? 0;
    const tpm = options.tokensPerMinute ?? 0;
    this.requests = rpm > 0 ? new TokenBucket(rpm, now) : undefined;
    this.tokens = tpm > 0 ? new TokenBucket(tpm, now) : undefined;
  }

  get limited(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /**
   * The server asked to wait `ms` (429 with Retry-After or x-ratelimit-reset-*): every request waits, not
   * only the one that was refused, or the others would spend the wait earning more 429s. When it ends, one
   * request goes first, alone, and the rest wait for its answer: released together, every request held
   * would hit a limit that may still be there (a second 429 sets the next hold before the others go).
   */
  holdFor(ms: number, now: number = this.clock.now()): void {
    if (ms <= 0) return;
    this.holdUntil = Math.max(this.holdUntil, now + ms);
    this.afterHold = true;
  }

  /** Ms a request of `tokens` would have to wait now, ignoring requests queued before it. */
  delayMs(tokens: number, now: number = this.clock.now()): number {
    return Math.max(
      this.holdUntil - now,
      this.requests?.waitMs(1, now) ?? 0,
      this.tokens?.waitMs(tokens, now) ?? 0,
    );
  }

  /** Waits until one request of `tokens` fits both budgets, takes it, and resolves with the ms waited. */
  async acquire(tokens: number, signal?: AbortSignal): Promise<number> {
    const permit = await this.permit(tokens, signal);
    permit.release();
    return permit.waitedMs;
  }

  /**
   * Like `acquire`, for a request about to be sent: the permit of the first request after a hold keeps
   * every later one waiting until it is released, that is until that request has its answer.
   */
  permit(tokens: number, signal?: AbortSignal): Promise<Permit> {
    if (!this.limited && !this.afterHold && this.holdUntil <= this.clock.now()) {
      // Still behind a probe in the queue? Then wait for it like everyone else.
      if (this.queueIdle) return Promise.resolve(FREE);
    }
    this.queueIdle = false;
    const turn = this.queue.then(() => this.waitAndTake(tokens, signal));
    const next = turn.then(
      (permit) => permit.settled,
      () => undefined,
    );
    this.queue = next;
    void next.then(() => {
      if (this.queue === next) this.queueIdle = true;
    });
    return turn;
  }

  /** No permit is queued or probing: the fast path may skip the queue. */
  private queueIdle = true;

  private async waitAndTake(
    tokens: number,
    signal: AbortSignal | undefined,
  ): Promise<Permit & { settled: Promise<void> }> {
    const start = this.clock.now();
    for (;;) {
      if (signal?.aborted) throw new EmbeddingAbortedError(undefined, { cause: signal.reason });
      const now = this.clock.now();
      const wait = this.delayMs(tokens, now);
      if (wait <= 0) {
        this.requests?.take(1, now);
        this.tokens?.take(tokens, now);
        const waitedMs = now - start;
        if (waitedMs > 0) this.options.onThrottled?.(waitedMs);
        if (!this.afterHold) return { waitedMs, release: () => undefined, settled: Promise.resolve() };
        this.afterHold = false;
        let release!: () => void;
        const settled = new Promise<void>((resolve) => {
          release = resolve;
        });
        return { waitedMs, release, settled };
      }
      await this.clock.sleep(wait, signal);
    }
  }
}
