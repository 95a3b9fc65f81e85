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
  assert.deepEqual(launcherNodeFlags('embedder'), []);
});
