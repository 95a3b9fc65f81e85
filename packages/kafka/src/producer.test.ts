import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkBySize } from './producer.js';

const message = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes) });

test('a backlog is sent in requests under the budget, in order, so no record batch is too large', () => {
  const messages = Array.from({ length: 300 }, (_, i) => message(`k${i % 7}`, 5000));
  const chunks = chunkBySize(messages, 100_000);
  assert.ok(chunks.length > 1);
  for (const c of chunks) assert.ok(c.reduce((n, m) => n + (m.value?.length ?? 0), 0) <= 100_000);
  assert.deepEqual(chunks.flat(), messages, 'every message once, in the original order');
});

test('a single record larger than the budget is sent alone', () => {
  const chunks = chunkBySize([message('a', 10), message('b', 5000), message('c', 10)], 1000);
  assert.deepEqual(
    chunks.map((c) => c.map((m) => m.key)),
    [['a'], ['b'], ['c']],
  );
  assert.deepEqual(chunkBySize([], 1000), []);
});
