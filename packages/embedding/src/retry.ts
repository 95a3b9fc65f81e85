import {
  BreakerOpenError,
  EmbeddingAbortedError,
  type FailureReason,
  failureReason,
  isEmbeddingError,
} from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest server-requested wait honoured; a longer Retry-After is clamped to it. */
  maxRetryAfterMs: number;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  reason: FailureReason;
  error: unknown;
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Which failures are worth another attempt. Default: `isRetryable`. */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, for metrics and logs. */
  onRetry?: (event: RetryEvent) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * Retryable means an outage-type failure (`canRetry`). An open breaker is retryable for the
 * embedder (pause, come back) but not here: retrying into an open breaker only burns the attempts.
 */
export function isRetryable(error: unknown): boolean {
  return (
    isEmbeddingError(error) &&
    error.canRetry &&
    !(error instanceof BreakerOpenError) &&
    !(error instanceof EmbeddingAbortedError)
  );
}

/** Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): uniform in [0, min(cap, base·2^n)). */
export function backoffDelayMs(
  retryIndex: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** The wait before retry n (0-based): the jittered backoff, or the server's hint when that is longer. */
export function retryDelayMs(
  error: unknown,
  retryIndex: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelayMs(retryIndex, policy, random);
  const hinted = isEmbeddingError(error) ? error.retryAfterMs : undefined;
  if (hinted === undefined) return backoff;
  return Math.max(backoff, Math.min(hinted, policy.maxRetryAfterMs));
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or the retries are spent. */
export async function withRetry<T>(
  attempt: (attemptIndex: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, signal } = options;
  const shouldRetry = options.shouldRetry ?? isRetryable;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  for (let index = 0; ; index++) {
    if (signal?.aborted) throw new EmbeddingAbortedError(undefined, { cause: signal.reason });
    try {
      return await attempt(index);
    } catch (error) {
      if (index >= policy.maxRetries || !shouldRetry(error) || signal?.aborted) throw error;
      const delayMs = retryDelayMs(error, index, policy, random);
      options.onRetry?.({ retry: index + 1, delayMs, reason: failureReason(error), error });
      await sleep(delayMs, signal);
    }
  }
}

/** setTimeout as a promise that rejects with EmbeddingAbortedError when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new EmbeddingAbortedError(undefined, { cause: signal.reason }));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new EmbeddingAbortedError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
