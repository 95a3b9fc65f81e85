import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBatch, poolAndNormalize, releaseNow } from './local-tensors.js';

test('a batch is padded to its longest text with the pad id, the mask marking real tokens', () => {
  const batch = encodeBatch(
    [
      [101, 7, 102],
      [101, 102],
    ],
    64,
    0,
  );
  assert.equal(batch.length, 3);
  assert.deepEqual(batch.lengths, [3, 2]);
  assert.equal(batch.truncated, 0);
  assert.deepEqual([...batch.ids], [101n, 7n, 102n, 101n, 102n, 0n]);
  assert.deepEqual([...batch.mask], [1n, 1n, 1n, 1n, 1n, 0n]);
});

test('a text past the limit keeps its first maxTokens ids, as transformers.js cut it', () => {
  const long = [101, ...Array.from({ length: 10 }, (_, i) => 1000 + i), 102];
  const batch = encodeBatch([long, [101, 5, 102]], 4, 9);
  assert.equal(batch.length, 4);
  assert.equal(batch.truncated, 1);
  assert.deepEqual([...batch.ids], [101n, 1000n, 1001n, 1002n, 101n, 5n, 102n, 9n]);
  assert.deepEqual(batch.lengths, [4, 3]);
  assert.throws(() => encodeBatch([long], 0, 0), /maxTokens/);
});

test('mean pooling averages the real tokens only; cls takes the first; both come out unit length', () => {
  // Two texts × 3 token slots × 2 dimensions; the second text's last slot is padding holding garbage.
  const hidden = Float32Array.from([3, 0, 0, 4, 3, 8, 1, 1, 3, 3, 1000, -1000]);
  const batch = { length: 3, lengths: [3, 2] };
  const mean = poolAndNormalize(hidden, batch, 2, 'mean');
  // Text 1: mean (2, 4) → (0.447, 0.894); text 2: mean (2, 2) → (0.707, 0.707), the padding ignored.
  assert.deepEqual(
    [...mean].map((x) => Number(x.toFixed(4))),
    [0.4472, 0.8944, 0.7071, 0.7071],
  );
  const cls = poolAndNormalize(hidden, batch, 2, 'cls');
  assert.deepEqual(
    [...cls].map((x) => Number(x.toFixed(4))),
    [1, 0, 0.7071, 0.7071],
  );
  assert.deepEqual(
    [...poolAndNormalize(new Float32Array(2), { length: 1, lengths: [1] }, 2, 'mean')],
    [0, 0],
  );
  assert.throws(() => poolAndNormalize(hidden, batch, 3, 'mean'), /expected 2 × 3 × 3/);
});

test('releaseNow detaches a buffer, leaving its views empty; a shared or detached one is left alone', () => {
  const hidden = new Float32Array(8 * 64 * 384);
  const alias = new Float32Array(hidden.buffer, 4, 10);
  assert.equal(releaseNow(hidden), true);
  assert.equal(hidden.length, 0);
  assert.equal(alias.length, 0);
  assert.equal(hidden.buffer.byteLength, 0);
  assert.equal(releaseNow(hidden), false);
  const shared = new Float32Array(new SharedArrayBuffer(16));
  assert.equal(releaseNow(shared), false);
  assert.equal(shared.length, 4);
});
