import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadEmbedderConfig, loadRouterConfig } from '@freshet/config';
import { LOCAL_MODELS, resolveEmbeddingConfig } from '@freshet/embedding';
import { embeddingConfig } from './embedding-config.js';

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
