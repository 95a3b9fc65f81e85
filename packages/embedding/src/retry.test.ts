import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BreakerOpenError, EmbeddingApiError, EmbeddingDimensionError } from './errors.js';
import { backoffDelayMs, type RetryEvent, type RetryPolicy, retryDelayMs, withRetry } from './retry.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 5_000 };

const POLICY: RetryPolicy = { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };
const unavailable = (retryAfterMs?: number) =>
  new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', '503', true, {
    status: 503,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
const rateLimited = (retryAfterMs: number) =>
  new EmbeddingApiError('FRESHET_EMBEDDING_RATE_LIMITED', '429', true, { status: 429, retryAfterMs });
const rejected = () => new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', '400', false, { status: 400 });

test('full jitter: the delay is uniform in [0, min(cap, base·2ⁿ))', LIMIT, () => {
  const almostOne = () => 0.999_999;
  const ceilings = [250, 500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000];
  ceilings.forEach((ceiling, n) => {
    assert.equal(
      backoffDelayMs(n, POLICY, () => 0),
      0,
    );
    assert.equal(backoffDelayMs(n, POLICY, almostOne), ceiling - 1, `retry ${n}`);
  });
  assert.equal(backoffDelayMs(2000, POLICY, almostOne), 19_999, 'no overflow on huge retry counts');
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelayMs(3, POLICY);
    assert.ok(d >= 0 && d < 2000, `${d}`);
  }
});

test(
  'a longer Retry-After wins over the backoff, a shorter one does not, a huge one is clamped',
  LIMIT,
  () => {
    const half = () => 0.5;
    assert.equal(retryDelayMs(rateLimited(1000), 0, POLICY, half), 1000);
    assert.equal(retryDelayMs(rateLimited(10), 4, POLICY, half), 2000);
    assert.equal(retryDelayMs(rateLimited(3_600_000), 0, POLICY, half), 60_000);
    assert.equal(retryDelayMs(unavailable(), 1, POLICY, half), 250);
  },
);

test('retryable failures are retried with the computed delays, then the call succeeds', LIMIT, async () => {
  const delays: number[] = [];
  const events: RetryEvent[] = [];
  let calls = 0;
  const result = await withRetry(
    async () => {
      calls++;
      if (calls === 1) throw rateLimited(1000);
      if (calls === 2) throw unavailable();
      return 'vectors';
    },
    {
      policy: POLICY,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onRetry: (event) => events.push(event),
    },
  );
  assert.equal(result, 'vectors');
  assert.equal(calls, 3);
  assert.deepEqual(delays, [1000, 250]);
  assert.deepEqual(
    events.map((e) => [e.retry, e.reason, e.delayMs]),
    [
      [1, 'rate_limited', 1000],
      [2, 'unavailable', 250],
    ],
  );
});

test('retries stop after maxRetries and the last error is thrown', LIMIT, async () => {
  let calls = 0;
  const last = unavailable();
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw calls === 4 ? last : unavailable();
      },
      { policy: { ...POLICY, maxRetries: 3 }, sleep: async () => {} },
    ),
    (error) => error === last,
  );
  assert.equal(calls, 4);
});

test('non-retryable errors, an open breaker and unknown errors are not retried', LIMIT, async () => {
  for (const error of [
    rejected(),
    new EmbeddingDimensionError(3, 2, 'm'),
    new BreakerOpenError(),
    new TypeError('bug'),
  ]) {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw error;
        },
        { policy: POLICY, sleep: async () => {} },
      ),
      (thrown) => thrown === error,
    );
    assert.equal(calls, 1, error.name);
  }
});

test('an abort during the backoff wait ends the retries with EmbeddingAbortedError', LIMIT, async () => {
  const controller = new AbortController();
  let calls = 0;
  const run = withRetry(
    async () => {
      calls++;
      throw unavailable(50_000);
    },
    { policy: POLICY, signal: controller.signal },
  );
  setImmediate(() => controller.abort());
  await assert.rejects(run, { code: 'FRESHET_EMBEDDING_ABORTED' });
  assert.equal(calls, 1);
});
