import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingCache, ProductHashCache } from './cache.js';

test('the embedding cache is bounded by the bytes of its vectors and evicts the least recent', () => {
  const lookups: boolean[] = [];
  // 1536 floats = 6 KiB per vector; 64 KiB holds fewer than 11 of them.
  const cache = new EmbeddingCache(64 * 1024, { onLookup: (hit) => lookups.push(hit) });
  for (let i = 0; i < 100; i++) cache.set(`hash-${i}`, new Float32Array(1536).fill(i));
  assert.ok(cache.bytes <= 64 * 1024, `${cache.bytes} bytes`);
  assert.ok(cache.size >= 9 && cache.size <= 10, `${cache.size} entries`);
  assert.equal(cache.get('hash-0'), undefined, 'the oldest is gone');
  assert.equal(cache.get('hash-99')?.[0], 99);
  assert.deepEqual(cache.counters, { hits: 1, misses: 1 });
  assert.deepEqual(lookups, [false, true]);
});

test('a recently read vector survives eviction', () => {
  const cache = new EmbeddingCache(3 * (384 * 4 + 200));
  cache.set('a', new Float32Array(384));
  cache.set('b', new Float32Array(384));
  cache.set('c', new Float32Array(384));
  assert.ok(cache.get('a'));
  cache.set('d', new Float32Array(384));
  assert.ok(cache.get('a'), 'a was used, b was not');
  assert.equal(cache.get('b'), undefined);
});

test('a zero-byte embedding cache stores nothing and counts misses', () => {
  const cache = new EmbeddingCache(0);
  cache.set('a', new Float32Array(4));
  assert.equal(cache.get('a'), undefined);
  assert.deepEqual(cache.counters, { hits: 0, misses: 1 });
});

test('the product hash cache is bounded by entries and forgets deleted products', () => {
  const lookups: boolean[] = [];
  const cache = new ProductHashCache(1000, { onLookup: (hit) => lookups.push(hit) });
  for (let i = 0; i < 5000; i++) cache.set(`p${i}`, `h${i}`);
  assert.equal(cache.size, 1000);
  assert.equal(cache.get('p0'), undefined);
  assert.equal(cache.get('p4999'), 'h4999');
  cache.delete('p4999');
  assert.equal(cache.get('p4999'), undefined);
  assert.deepEqual(cache.counters, { hits: 1, misses: 2 });
  assert.deepEqual(lookups, [false, true, false]);
});
