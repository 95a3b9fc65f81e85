import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BreakerOptions, EmbeddingBreaker } from './breaker.js';
import { BreakerOpenError, EmbeddingApiError, EmbeddingDimensionError } from './errors.js';
import type { EmbeddingProvider } from './provider.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 5_000 };

const OPTIONS: BreakerOptions = {
  timeoutMs: 1_000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 100,
  rollingWindowMs: 10_000,
};

/** A provider whose behaviour the test switches; counts calls and keeps the last signal. */
function scriptedProvider() {
  const state = {
    calls: 0,
    lastSignal: undefined as AbortSignal | undefined,
    behaviour: 'ok' as 'ok' | 'outage' | 'bad-request' | 'wrong-dimension' | 'hang',
  };
  const provider: EmbeddingProvider = {
    model: 'test-model',
    dimension: 2,
    async embed(texts, signal) {
      state.calls++;
      state.lastSignal = signal;
      switch (state.behaviour) {
        case 'ok':
          return texts.map(() => Float32Array.of(1, 0));
        case 'outage':
          throw new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', '503', true, { status: 503 });
        case 'bad-request':
          throw new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', '400', false, { status: 400 });
        case 'wrong-dimension':
          throw new EmbeddingDimensionError(2, 3, 'test-model');
        case 'hang':
          return new Promise(() => {});
      }
    },
  };
  return { provider, state };
}

async function until(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('requests the API rejects never open the breaker', LIMIT, async (t) => {
  const { provider, state } = scriptedProvider();
  const breaker = new EmbeddingBreaker(provider, OPTIONS);
  t.after(() => breaker.shutdown());
  for (const behaviour of ['bad-request', 'wrong-dimension'] as const) {
    state.behaviour = behaviour;
    for (let i = 0; i < 20; i++) await assert.rejects(breaker.call(['x']), { canRetry: false });
  }
  assert.equal(breaker.state(), 'closed');
  assert.equal(state.calls, 40, 'every call reached the provider');
});

test('an outage opens the breaker, which then fails fast without calling the provider', LIMIT, async (t) => {
  const { provider, state } = scriptedProvider();
  const breaker = new EmbeddingBreaker(provider, OPTIONS);
  t.after(() => breaker.shutdown());
  let opened = 0;
  breaker.onOpen(() => opened++);
  state.behaviour = 'outage';
  for (let i = 0; i < 5; i++)
    await assert.rejects(breaker.call(['x']), { code: 'FRESHET_EMBEDDING_UNAVAILABLE' });
  assert.equal(breaker.state(), 'open');
  assert.equal(opened, 1);
  const calls = state.calls;
  await assert.rejects(breaker.call(['x']), (error) => error instanceof BreakerOpenError && error.canRetry);
  assert.equal(state.calls, calls, 'an open breaker does not call the provider');
});

test('after resetTimeout one probe goes through and its success closes the breaker', LIMIT, async (t) => {
  const { provider, state } = scriptedProvider();
  const breaker = new EmbeddingBreaker(provider, OPTIONS);
  t.after(() => breaker.shutdown());
  const events: string[] = [];
  breaker.onOpen(() => events.push('open'));
  breaker.onHalfOpen(() => events.push('halfOpen'));
  breaker.onClose(() => events.push('close'));
  state.behaviour = 'outage';
  for (let i = 0; i < 5; i++) await assert.rejects(breaker.call(['x']));
  await until(() => breaker.state() === 'halfOpen', 'half-open');
  state.behaviour = 'ok';
  assert.deepEqual(await breaker.call(['x']), [Float32Array.of(1, 0)]);
  assert.equal(breaker.state(), 'closed');
  assert.deepEqual(events, ['open', 'halfOpen', 'close']);
});

test('a failed probe opens the breaker again', LIMIT, async (t) => {
  const { provider, state } = scriptedProvider();
  const breaker = new EmbeddingBreaker(provider, OPTIONS);
  t.after(() => breaker.shutdown());
  state.behaviour = 'outage';
  for (let i = 0; i < 5; i++) await assert.rejects(breaker.call(['x']));
  await until(() => breaker.state() === 'halfOpen', 'half-open');
  await assert.rejects(breaker.call(['x']), { code: 'FRESHET_EMBEDDING_UNAVAILABLE' });
  assert.equal(breaker.state(), 'open');
});

test(
  'a call that outlives the timeout fails as a retryable timeout and its request is aborted',
  LIMIT,
  async (t) => {
    const { provider, state } = scriptedProvider();
    const breaker = new EmbeddingBreaker(provider, { ...OPTIONS, timeoutMs: 30 });
    t.after(() => breaker.shutdown());
    state.behaviour = 'hang';
    await assert.rejects(breaker.call(['x']), { code: 'FRESHET_EMBEDDING_TIMEOUT', canRetry: true });
    assert.equal(state.lastSignal?.aborted, true);
    for (let i = 0; i < 4; i++) await assert.rejects(breaker.call(['x']));
    assert.equal(breaker.state(), 'open', 'timeouts count as failures');
  },
);

test("the caller's abort reaches the provider's signal", LIMIT, async (t) => {
  const { provider, state } = scriptedProvider();
  const breaker = new EmbeddingBreaker(provider, OPTIONS);
  t.after(() => breaker.shutdown());
  state.behaviour = 'hang';
  const controller = new AbortController();
  const call = breaker.call(['x'], controller.signal);
  controller.abort();
  assert.equal(state.lastSignal?.aborted, true);
  breaker.shutdown();
  void call.catch(() => {});
});
