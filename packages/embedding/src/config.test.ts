import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEmbeddingConfig } from './config.js';
import { EmbeddingConfigError } from './errors.js';

test('with no key the local provider is the default: MiniLM and its words, at 384 + 384 dimensions', () => {
  const c = resolveEmbeddingConfig({});
  assert.equal(c.provider, 'local');
  assert.equal(c.model, 'all-minilm-l6-v2-q-mean48+lex');
  assert.equal(c.dimension, 768);
  assert.deepEqual(
    { ...c.local, modelsDir: undefined },
    {
      modelsDir: undefined,
      workers: 1,
      threads: 1,
      batchSize: 1,
      input: 'document',
    },
  );
  assert.match(c.local.modelsDir, /freshet\/models$/);
  // Inference on this machine's CPU queues behind other batches: not an HTTP timeout.
  assert.equal(c.breaker.timeoutMs, 120_000);
  assert.deepEqual(c.batch, {
    maxInputs: 256,
    maxTokensPerRequest: 300_000,
    lingerMs: 10,
    maxInputTokens: 8191,
    concurrency: 4,
  });
  assert.deepEqual(c.retry, { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 });
  assert.deepEqual(c.rateLimit, { requestsPerMinute: 0, tokensPerMinute: 0 });
  assert.equal(c.breaker.errorThresholdPercentage, 50);
  assert.equal(c.breaker.volumeThreshold, 5);
  assert.equal(c.breaker.resetTimeoutMs, 10_000);
});

test('a key selects openai with text-embedding-3-small, its dimension, and `dimensions` sent', () => {
  const c = resolveEmbeddingConfig({ openai: { apiKey: 'sk-test' } });
  assert.equal(c.provider, 'openai');
  assert.equal(c.model, 'text-embedding-3-small');
  assert.equal(c.dimension, 1536);
  assert.equal(c.openai.sendDimensions, true);
  assert.equal(c.openai.timeoutMs, 10_000);
  assert.equal(c.openai.encodingFormat, 'base64');
  assert.equal(c.breaker.timeoutMs, 11_000, 'the HTTP timeout fires before the breaker timeout');
});

test('ada-002 and unknown models do not get `dimensions`; unknown models must state a dimension', () => {
  const ada = resolveEmbeddingConfig({ provider: 'openai', model: 'text-embedding-ada-002' });
  assert.equal(ada.dimension, 1536);
  assert.equal(ada.openai.sendDimensions, false);
  assert.throws(() => resolveEmbeddingConfig({ provider: 'openai', model: 'nomic-embed-text' }), {
    name: 'EmbeddingConfigError',
    field: 'dimension',
  });
  const nomic = resolveEmbeddingConfig({ provider: 'openai', model: 'nomic-embed-text', dimension: 768 });
  assert.equal(nomic.openai.sendDimensions, false);
});

test('a secondary endpoint inherits the key and doubles the breaker timeout', () => {
  const c = resolveEmbeddingConfig({
    openai: { apiKey: 'sk-test', timeoutMs: 2_000, secondary: { baseURL: 'http://127.0.0.1:9/v1' } },
  });
  assert.deepEqual(c.openai.secondary, { baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });
  assert.equal(c.breaker.timeoutMs, 5_000);
});

test('explicit values win, undefined ones keep the default', () => {
  const c = resolveEmbeddingConfig({
    batch: { maxInputs: 16, lingerMs: undefined },
    breaker: { timeoutMs: 500 },
  });
  assert.equal(c.batch.maxInputs, 16);
  assert.equal(c.batch.lingerMs, 10);
  assert.equal(c.breaker.timeoutMs, 500);
});

test('out-of-range values are refused with the field named', () => {
  const cases: Array<[Parameters<typeof resolveEmbeddingConfig>[0], string]> = [
    [{ batch: { maxInputs: 4096 } }, 'batch.maxInputs'],
    [{ batch: { concurrency: 0 } }, 'batch.concurrency'],
    [{ batch: { lingerMs: -1 } }, 'batch.lingerMs'],
    [{ breaker: { errorThresholdPercentage: 0 } }, 'breaker.errorThresholdPercentage'],
    [{ retry: { baseDelayMs: 1000, maxDelayMs: 10 } }, 'retry.maxDelayMs'],
    [{ dimension: 1.5 }, 'dimension'],
    [{ openai: { apiKey: 'k', baseURL: 'not a url' } }, 'openai.baseURL'],
    [{ provider: 'local', model: 'text-embedding-3-small' }, 'model'],
    [{ provider: 'local', model: 'bge-small-en-v1.5-q-cls', dimension: 768 }, 'dimension'],
    [{ provider: 'hash', model: 'all-minilm-l6-v2-q-mean' }, 'model'],
    [{ local: { workers: 0 } }, 'local.workers'],
    [{ local: { batchSize: 4096 } }, 'local.batchSize'],
  ];
  for (const [config, field] of cases) {
    assert.throws(
      () => resolveEmbeddingConfig(config),
      (error) =>
        error instanceof EmbeddingConfigError &&
        error.field === field &&
        error.code === 'FRESHET_EMBEDDING_CONFIG',
      field,
    );
  }
});

test('the local provider runs either installed model; hash is feature hashing at any dimension', () => {
  const bge = resolveEmbeddingConfig({
    model: 'bge-small-en-v1.5-q-cls',
    local: { modelsDir: '/m', workers: 2 },
  });
  assert.equal(bge.provider, 'local');
  assert.equal(bge.dimension, 384);
  assert.equal(bge.local.modelsDir, '/m');
  assert.equal(bge.local.workers, 2);
  const hash = resolveEmbeddingConfig({ provider: 'hash', dimension: 96 });
  assert.equal(hash.model, 'freshet-hash-v1');
  assert.equal(hash.dimension, 96);
  assert.equal(resolveEmbeddingConfig({ provider: 'hash' }).dimension, 384);
});
