import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingAbortedError } from './errors.js';
import { type Clock, RateLimiter, TokenBucket } from './rate-limit.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 5_000 };

/** A clock whose sleep advances time instantly; records every sleep. */
function fakeClock(start = 1_000): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new EmbeddingAbortedError();
      sleeps.push(ms);
      now += ms;
    },
  };
}

test('a token bucket starts full and refills continuously', LIMIT, () => {
  const bucket = new TokenBucket(60, 0);
  assert.equal(bucket.waitMs(60, 0), 0);
  bucket.take(60, 0);
  assert.equal(bucket.waitMs(1, 0), 1000, 'one per second at 60 per minute');
  assert.equal(bucket.waitMs(1, 500), 500);
  assert.equal(bucket.waitMs(1, 1000), 0);
  assert.equal(bucket.available(30_000), 30);
  assert.equal(bucket.available(600_000), 60, 'never above capacity');
});

test('the request after the RPM budget waits for one request worth of refill', LIMIT, async () => {
  const clock = fakeClock();
  const throttled: number[] = [];
  const limiter = new RateLimiter({ requestsPerMinute: 6, clock, onThrottled: (ms) => throttled.push(ms) });
  for (let i = 0; i < 6; i++) assert.equal(await limiter.acquire(1), 0, `request ${i + 1} is within budget`);
  assert.equal(await limiter.acquire(1), 10_000);
  assert.deepEqual(clock.sleeps, [10_000]);
  assert.deepEqual(throttled, [10_000]);
});

test('the TPM budget delays a request until its tokens have refilled', LIMIT, async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ tokensPerMinute: 60_000, clock });
  assert.equal(await limiter.acquire(50_000), 0);
  assert.equal(limiter.delayMs(20_000), 10_000, '10,000 tokens short at 1,000 per second');
  assert.equal(await limiter.acquire(20_000), 10_000);
});

test(
  'a request larger than the TPM capacity still passes once the bucket is full, then repays',
  LIMIT,
  async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ tokensPerMinute: 1_000, clock });
    await limiter.acquire(400);
    assert.equal(await limiter.acquire(5_000), 24_000, 'waits for a full bucket, not forever');
    // The bucket is now 4,000 tokens in debt: a small request waits for the debt to be repaid.
    assert.equal(limiter.delayMs(100), 246_000);
  },
);

test('with both budgets the longer wait applies', LIMIT, async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ requestsPerMinute: 60, tokensPerMinute: 600, clock });
  await limiter.acquire(600);
  assert.equal(limiter.delayMs(60), 6_000, 'tokens are the binding budget');
  clock.advance(6_000);
  assert.equal(limiter.delayMs(60), 0);
});

test('waiting requests are served in arrival order', LIMIT, async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ requestsPerMinute: 60, clock });
  for (let i = 0; i < 60; i++) await limiter.acquire(1);
  const order: number[] = [];
  await Promise.all([1, 2, 3].map((n) => limiter.acquire(1).then(() => order.push(n))));
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(clock.sleeps, [1000, 1000, 1000]);
});

test('without budgets acquire never waits', LIMIT, async () => {
  const limiter = new RateLimiter({ requestsPerMinute: 0, tokensPerMinute: 0, clock: fakeClock() });
  assert.equal(limiter.limited, false);
  for (let i = 0; i < 1000; i++) assert.equal(await limiter.acquire(1_000_000), 0);
});

test('an aborted wait rejects and does not block the requests behind it', LIMIT, async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ requestsPerMinute: 1, clock });
  await limiter.acquire(1);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(limiter.acquire(1, controller.signal), EmbeddingAbortedError);
  assert.equal(await limiter.acquire(1), 60_000);
});

test(
  'a Retry-After hold makes every request wait, with or without budgets, and counts as throttled',
  LIMIT,
  async () => {
    for (const budgets of [{}, { requestsPerMinute: 6000, tokensPerMinute: 1_000_000 }]) {
      const clock = fakeClock();
      const throttled: number[] = [];
      const limiter = new RateLimiter({ ...budgets, clock, onThrottled: (ms) => throttled.push(ms) });
      assert.equal(await limiter.acquire(10), 0, 'no hold yet: at once');
      limiter.holdFor(2000);
      assert.equal(await limiter.acquire(10), 2000, 'the first request after the hold waits it out');
      assert.equal(await limiter.acquire(10), 0, 'the hold is over for the next one');
      limiter.holdFor(500);
      limiter.holdFor(100);
      assert.equal(await limiter.acquire(10), 500, 'a shorter hold never shortens a longer one');
      assert.deepEqual(throttled, [2000, 500]);
    }
  },
);

test('after a Retry-After hold one request goes alone; the others wait for its answer', LIMIT, async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ clock });
  limiter.holdFor(1000);
  const sent: string[] = [];
  const probe = limiter.permit(10).then((p) => {
    sent.push('probe');
    return p;
  });
  const others = [1, 2].map((n) => limiter.permit(10).then((p) => (sent.push(`other ${n}`), p)));
  const permit = await probe;
  assert.equal(permit.waitedMs, 1000, 'the probe waits the hold out');
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(sent, ['probe'], 'nobody else goes while the probe is unanswered');
  // The probe earns another 429: its hold is set before it releases, so the others wait that one out too.
  limiter.holdFor(500);
  permit.release();
  const second = await others[0]!;
  assert.equal(second.waitedMs, 500, 'the next request waits for the new hold and goes alone again');
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(sent, ['probe', 'other 1']);
  second.release();
  const third = await others[1]!;
  assert.deepEqual(
    sent,
    ['probe', 'other 1', 'other 2'],
    'once a probe is answered without a hold, the rest go',
  );
  third.release();
  assert.equal(await limiter.acquire(10), 0, 'and later requests go at once');
});
