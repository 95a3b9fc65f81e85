import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadEmbedderConfig, loadRouterConfig } from '@freshet/config';
import { LOCAL_MODELS, resolveEmbeddingConfig } from '@freshet/embedding';
import { embeddingConfig, pendingRecordsFor } from './embedding-config.js';

// The router hashes model id and dimension into every content hash from packages/config's table, without
// loading a model: it must give each local model the dimension the embedding library's spec gives it.
test('every local model has the same dimension in the stages config and in the embedding library', () => {
  for (const spec of Object.values(LOCAL_MODELS)) {
    const env = { FRESHET_EMBEDDING_MODEL: spec.id };
    assert.equal(loadRouterConfig(env).embedding.dimension, spec.dimension, spec.id);
    const resolved = resolveEmbeddingConfig(embeddingConfig(loadEmbedderConfig(env)));
    assert.equal(resolved.model, spec.id);
    assert.equal(resolved.dimension, spec.dimension, spec.id);
  }
});

test("the embedder's memory defaults reach the embedding library: an 8 MB vector cache", () => {
  const resolved = resolveEmbeddingConfig(embeddingConfig(loadEmbedderConfig({})));
  assert.equal(resolved.cache.embeddingMaxBytes, 8 * 1024 * 1024);
});

test('the records a partition may hold follow the provider unless FRESHET_EMBEDDER_MAX_PENDING_RECORDS is set', () => {
  const configured = (env: Record<string, string>) => loadEmbedderConfig(env).embedder.maxPendingRecords;
  assert.equal(configured({}), undefined);
  assert.equal(pendingRecordsFor('local', configured({})), 100);
  assert.equal(pendingRecordsFor('openai', configured({})), 500);
  assert.equal(pendingRecordsFor('hash', configured({})), 500);
  const set = configured({ FRESHET_EMBEDDER_MAX_PENDING_RECORDS: '2000' });
  assert.equal(pendingRecordsFor('local', set), 2000);
  assert.throws(
    () => configured({ FRESHET_EMBEDDER_MAX_PENDING_RECORDS: '0' }),
    /FRESHET_EMBEDDER_MAX_PENDING_RECORDS/,
  );
});
