import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32, Rng, seedFrom } from './rng.js';

test('the same seed gives the same draws, another seed other draws', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = Array.from({ length: 10 }, () => a());
  assert.deepEqual(
    Array.from({ length: 10 }, () => b()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 10 }, () => c()),
    xs,
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('derived seeds depend on every part', () => {
  assert.equal(seedFrom('catalog', 1, 2), seedFrom('catalog', 1, 2));
  assert.notEqual(seedFrom('catalog', 1, 2), seedFrom('catalog', 12));
  assert.notEqual(seedFrom('catalog', 1, 2), seedFrom('catalog', 2, 1));
});

test('uuid() is a deterministic version-4 UUID', () => {
  const u = new Rng(5).uuid();
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Rng(5).uuid(), u);
});

test('weighted() follows the weights', () => {
  const rng = new Rng(9);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 30_000; i++) counts[rng.weighted({ a: 1, b: 2, c: 0 })] += 1;
  assert.equal(counts.c, 0);
  assert.ok(Math.abs(counts.b / 30_000 - 2 / 3) < 0.02);
});
