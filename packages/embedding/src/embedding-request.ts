import type { SendBatch } from './batcher.js';
import type { EmbeddingBreaker } from './breaker.js';
import { BreakerOpenError, EmbeddingError, failureReason } from './errors.js';
import type { EmbeddingMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import { type RetryEvent, type RetryPolicy, withRetry } from './retry.js';
import type { EmbeddingLogger } from './types.js';

export interface RequestPipeline {
  breaker: EmbeddingBreaker;
  limiter: RateLimiter;
  retry: RetryPolicy;
  metrics?: EmbeddingMetrics | undefined;
  logger?: EmbeddingLogger | undefined;
  /** Count each batch's `tokens` in the tokens metric (a provider that reports its own sets this false). */
  countTokens?: boolean | undefined;
  /** Aborts waits and requests in flight (hard shutdown). */
  signal?: AbortSignal | undefined;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * One batch's way to the API: retry( rate limit → breaker( provider ) ).
 *
 * The breaker sits inside the retry loop so it sees every attempt: during an outage a batch's
 * failed attempts open it within `volumeThreshold` calls instead of after whole retry sequences,
 * and once open the next attempt fails at once with BreakerOpenError, which ends the retries (they
 * would only burn attempts against a known-down API; the embedder pauses instead). The rate limit is
 * per attempt too, because every attempt spends the API's RPM/TPM, and it is skipped while the
 * breaker is open so no budget is spent on calls that will fail fast. A 429's Retry-After holds the
 * limiter, so every request waits it out, not only the refused one.
 */
export function createBatchSender(pipeline: RequestPipeline): SendBatch {
  const { breaker, limiter, metrics, logger, signal } = pipeline;
  return (texts, tokens) => {
    metrics?.batchSize.observe(texts.length);
    return withRetry(
      async () => {
        if (breaker.state() === 'open') {
          metrics?.requests.inc({ outcome: 'breaker_open' });
          throw new BreakerOpenError();
        }
        const permit = await limiter.permit(tokens, signal);
        const started = performance.now();
        try {
          const vectors = await breaker.call(texts, signal);
          metrics?.requestDuration.observe((performance.now() - started) / 1000);
          metrics?.requests.inc({ outcome: 'success' });
          metrics?.inputs.inc(texts.length);
          if (pipeline.countTokens !== false) metrics?.tokens.inc(tokens);
          return vectors;
        } catch (error) {
          if (!(error instanceof BreakerOpenError)) {
            metrics?.requestDuration.observe((performance.now() - started) / 1000);
          }
          metrics?.requests.inc({ outcome: failureReason(error) });
          if (error instanceof EmbeddingError && error.code === 'FRESHET_EMBEDDING_RATE_LIMITED') {
            const hinted = error.retryAfterMs;
            if (hinted !== undefined) limiter.holdFor(Math.min(hinted, pipeline.retry.maxRetryAfterMs));
          }
          throw error;
        } finally {
          // After the 429's hold is set (above), so the requests waiting behind this one see it.
          permit.release();
        }
      },
      {
        policy: pipeline.retry,
        signal,
        onRetry: (event: RetryEvent) => {
          metrics?.retries.inc({ reason: event.reason });
          logger?.warn(
            {
              retry: event.retry,
              delayMs: event.delayMs,
              reason: event.reason,
              inputs: texts.length,
              err: event.error,
            },
            'embedding request failed, retrying',
          );
        },
        ...(pipeline.sleep ? { sleep: pipeline.sleep } : {}),
        ...(pipeline.random ? { random: pipeline.random } : {}),
      },
    );
  };
}
