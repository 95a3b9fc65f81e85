import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingApiError } from './errors.js';
import { FallbackEmbeddingProvider } from './fallback-provider.js';
import type { EmbeddingProvider } from './provider.js';

function endpoint(name: string) {
  const state = { calls: 0, failWith: undefined as EmbeddingApiError | undefined };
  const provider: EmbeddingProvider = {
    model: 'm',
    dimension: 1,
    async embed(texts) {
      state.calls++;
      if (state.failWith) throw state.failWith;
      return texts.map(() => Float32Array.of(name === 'primary' ? 1 : 2));
    },
  };
  return { provider, state };
}

const outage = () => new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', '503', true, { status: 503 });
const rejected = () => new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', '400', false, { status: 400 });

test('a retryable failure of the primary is served by the secondary, which is then preferred for the cooldown', async () => {
  let now = 0;
  const primary = endpoint('primary');
  const secondary = endpoint('secondary');
  const moves: string[] = [];
  const pair = new FallbackEmbeddingProvider(primary.provider, secondary.provider, {
    cooldownMs: 1_000,
    now: () => now,
    onFallback: ({ to }) => moves.push(to === secondary.provider ? 'to-secondary' : 'to-primary'),
  });
  primary.state.failWith = outage();
  assert.deepEqual(await pair.embed(['x']), [Float32Array.of(2)]);
  assert.deepEqual(await pair.embed(['x']), [Float32Array.of(2)]);
  assert.equal(primary.state.calls, 1, 'skipped during the cooldown');
  now = 1_000;
  primary.state.failWith = undefined;
  assert.deepEqual(await pair.embed(['x']), [Float32Array.of(1)], 'back to the primary after the cooldown');
  assert.deepEqual(moves, ['to-secondary']);
});

test('during the cooldown a failing secondary falls back to the primary', async () => {
  let now = 0;
  const primary = endpoint('primary');
  const secondary = endpoint('secondary');
  const pair = new FallbackEmbeddingProvider(primary.provider, secondary.provider, {
    cooldownMs: 1_000,
    now: () => now,
  });
  primary.state.failWith = outage();
  await pair.embed(['x']);
  primary.state.failWith = undefined;
  secondary.state.failWith = outage();
  now = 10;
  assert.deepEqual(await pair.embed(['x']), [Float32Array.of(1)]);
});

test('a non-retryable failure is not sent to the other endpoint, and both down fails', async () => {
  const primary = endpoint('primary');
  const secondary = endpoint('secondary');
  const pair = new FallbackEmbeddingProvider(primary.provider, secondary.provider, { cooldownMs: 1_000 });
  primary.state.failWith = rejected();
  await assert.rejects(pair.embed(['x']), { code: 'FRESHET_EMBEDDING_REJECTED' });
  assert.equal(secondary.state.calls, 0);
  primary.state.failWith = outage();
  secondary.state.failWith = outage();
  await assert.rejects(pair.embed(['x']), { code: 'FRESHET_EMBEDDING_UNAVAILABLE' });
});

test('the two endpoints must serve the same model and dimension', () => {
  const a = endpoint('primary').provider;
  assert.throws(
    () => new FallbackEmbeddingProvider(a, { ...a, dimension: 2 }, { cooldownMs: 0 }),
    RangeError,
  );
});
