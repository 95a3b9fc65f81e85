import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteCoalescer } from './coalescer.js';
import type { WriterRow, WriteSet } from './store.js';

const row = (productId: string): WriterRow => ({
  productId,
  vector: new Float32Array(2),
  title: productId,
  category: null,
  brand: null,
  priceMinor: null,
  currency: null,
  stock: null,
  version: 1,
  contentHash: 'h',
  model: 'm',
  occurredAt: 1,
  indexedAt: 2,
  sourceOffset: 0,
});
const upserts = (...ids: string[]): WriteSet => ({ upserts: ids.map(row), partials: [], deletes: [] });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test('sets submitted during a flush are merged into the next one, never overlapping', async () => {
  const flushes: string[][] = [];
  let running = 0;
  let maxRunning = 0;
  const first = gate();
  const coalescer = new WriteCoalescer(async (set) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    flushes.push(set.upserts.map((r) => r.productId));
    if (flushes.length === 1) await first.opened;
    running--;
    return { rejected: [] };
  });
  const a = coalescer.submit(upserts('a'));
  const b = coalescer.submit(upserts('b1', 'b2'));
  const c = coalescer.submit(upserts('c'));
  first.open();
  await Promise.all([a, b, c]);
  assert.deepEqual(flushes, [['a'], ['b1', 'b2', 'c']]);
  assert.equal(maxRunning, 1);
});

test('refused rows go back to the set they came from; a failed flush rejects every set in it', async () => {
  let fail = false;
  const coalescer = new WriteCoalescer(async (set) => {
    if (fail) throw new Error('milvus down');
    const refused = set.upserts.filter((r) => r.productId.startsWith('bad'));
    return { rejected: refused.map((r) => ({ productId: r.productId, code: 'X', message: 'no' })) };
  });
  const [a, b] = await Promise.all([coalescer.submit(upserts('a', 'bad-a')), coalescer.submit(upserts('b'))]);
  assert.deepEqual(
    a.rejected.map((r) => r.productId),
    ['bad-a'],
  );
  assert.deepEqual(b.rejected, []);

  fail = true;
  const results = await Promise.allSettled([coalescer.submit(upserts('x')), coalescer.submit(upserts('y'))]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  // And it recovers: the next submission flushes again.
  fail = false;
  assert.deepEqual(await coalescer.submit(upserts('z')), { rejected: [] });
});
