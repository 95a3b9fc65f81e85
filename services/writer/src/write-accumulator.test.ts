import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteAccumulator } from './write-accumulator.js';

const retry = { baseMs: 1, maxMs: 5 };

test('batches arriving while a group is applied go together into the next group, in order', async () => {
  const groups: number[][] = [];
  let release!: () => void;
  const first = new Promise<void>((resolve) => {
    release = resolve;
  });
  const acc = new WriteAccumulator<number>(
    async (items) => {
      groups.push(items);
      if (groups.length === 1) await first;
    },
    { retry, onRetry: () => {} },
  );
  const signal = new AbortController().signal;
  const all = [1, 2, 3, 4].map((n) => acc.submit(n, signal));
  release();
  await Promise.all(all);
  assert.deepEqual(groups, [[1], [2, 3, 4]]);
});

test('a failed group is retried in place; batches behind it wait and never overtake it', async () => {
  const applied: number[][] = [];
  let failures = 2;
  const retries: number[] = [];
  const acc = new WriteAccumulator<number>(
    async (items) => {
      if (failures-- > 0) throw new Error('milvus down');
      applied.push(items);
    },
    { retry, onRetry: (_e, attempt) => retries.push(attempt) },
  );
  const signal = new AbortController().signal;
  const a = acc.submit(1, signal);
  const b = acc.submit(2, signal);
  await Promise.all([a, b]);
  assert.deepEqual(retries, [0, 1]);
  assert.deepEqual(applied, [[1], [2]]);
});

test('a batch whose signal aborted is given up (rejected) and the others still go', async () => {
  const applied: number[][] = [];
  let fail = true;
  const acc = new WriteAccumulator<number>(
    async (items) => {
      if (fail) {
        fail = false;
        throw new Error('milvus down');
      }
      applied.push(items);
    },
    { retry: { baseMs: 50, maxMs: 50 }, onRetry: () => {} },
  );
  const revoked = new AbortController();
  const kept = new AbortController().signal;
  const gone = acc.submit(1, revoked.signal);
  const stays = acc.submit(2, kept);
  revoked.abort(new Error('revoked'));
  await assert.rejects(gone, /revoked/);
  await stays;
  assert.deepEqual(applied.flat(), [2]);
});
