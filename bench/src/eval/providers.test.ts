import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultProviders, evalProvider } from './providers.js';

test('a local model embeds queries with its query instruction and documents without', () => {
  const p = evalProvider('local:bge-small-en-v1.5-q-cls');
  assert.equal(p.documents.provider, 'local');
  assert.equal(p.documents.model, 'bge-small-en-v1.5-q-cls');
  assert.equal(p.documents.local?.input, undefined);
  assert.equal(p.queries.local?.input, 'query');
  assert.equal(evalProvider('hash').queries.provider, 'hash');
});

test('an unknown provider or model, or openai without a key or URL, is refused by name', () => {
  assert.throws(() => evalProvider('local:nope'), /unknown local model nope/);
  assert.throws(() => evalProvider('bogus'), /unknown provider bogus/);
  assert.throws(() => evalProvider('openai', {}), /FRESHET_EMBEDDING_API_KEY/);
  assert.equal(evalProvider('openai', { FRESHET_EMBEDDING_API_KEY: 'k' }).documents.provider, 'openai');
});

test('by default: hash, the installed local models, and openai only when configured', () => {
  const empty = mkdtempSync(join(tmpdir(), 'freshet-eval-models-'));
  try {
    assert.deepEqual(defaultProviders({ FRESHET_EMBEDDING_MODELS_DIR: empty }), ['hash']);
    assert.deepEqual(
      defaultProviders({
        FRESHET_EMBEDDING_MODELS_DIR: empty,
        FRESHET_EMBEDDING_BASE_URL: 'http://127.0.0.1:1/v1',
      }),
      ['hash', 'openai'],
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
