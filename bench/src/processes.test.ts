import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launcherMalloc, launcherNodeFlags, launcherNodeOptions } from './processes.js';

// The bench reads a stage's defaults from deploy/local/service itself, so what it measures is what a user's
// stage runs with: these hold the script's print switches to what the bench parses.

function withEnv<T>(vars: Record<string, string | undefined>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return run();
  } finally {
    apply(saved);
  }
}

test("the launcher's malloc settings are the stages' defaults, and a caller's own win", () => {
  const unset = { MALLOC_ARENA_MAX: undefined, MALLOC_MMAP_THRESHOLD_: undefined };
  assert.deepEqual(
    withEnv(unset, () => launcherMalloc()),
    { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
  );
  assert.deepEqual(
    withEnv({ ...unset, MALLOC_ARENA_MAX: '1' }, () => launcherMalloc()),
    { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072' },
  );
});

test("the launcher's heap options and node flags per stage", () => {
  assert.equal(launcherNodeOptions('embedder'), '--max-old-space-size=128 --max-semi-space-size=8');
  assert.equal(launcherNodeOptions('router'), '--max-old-space-size=128 --max-semi-space-size=16');
  assert.deepEqual(launcherNodeFlags('writer'), ['--heap-growing-percent=100']);
});

test('the embedder favours memory over speed only on the local model, resolved as its config does', () => {
  const none = {
    FRESHET_EMBEDDING_PROVIDER: undefined,
    FRESHET_EMBEDDING_API_KEY: undefined,
    FRESHET_EMBEDDING_API_KEY_FILE: undefined,
  };
  const flags = (env: Record<string, string | undefined>) =>
    withEnv({ ...none, ...env }, () => launcherNodeFlags('embedder'));
  assert.deepEqual(flags({}), ['--optimize-for-size']);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_PROVIDER: 'local' }), ['--optimize-for-size']);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_API_KEY: 'sk-test' }), []);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_API_KEY_FILE: '/run/secrets/key' }), []);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_PROVIDER: 'openai' }), []);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_PROVIDER: 'hash' }), []);
  assert.deepEqual(flags({ FRESHET_EMBEDDING_PROVIDER: 'local', FRESHET_EMBEDDING_API_KEY: 'sk-test' }), [
    '--optimize-for-size',
  ]);
  // The bench passes a stage's own environment (a service's provider), over its own.
  assert.deepEqual(
    withEnv(none, () => launcherNodeFlags('embedder', { FRESHET_EMBEDDING_PROVIDER: 'openai' })),
    [],
  );
  assert.deepEqual(launcherNodeFlags('router', { FRESHET_EMBEDDING_PROVIDER: 'local' }), [
    '--heap-growing-percent=100',
  ]);
});
