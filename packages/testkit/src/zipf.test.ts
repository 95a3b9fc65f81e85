import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from './rng.js';
import { ZipfSampler, zipfProbabilities } from './zipf.js';

test('rejection-inversion draws follow the exact Zipf probabilities', () => {
  const n = 20;
  const s = 1.1;
  const draws = 200_000;
  const sampler = new ZipfSampler(s);
  const random = mulberry32(11);
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) {
    const k = sampler.sample(n, random);
    assert.ok(k >= 1 && k <= n);
    counts[k - 1] = (counts[k - 1] as number) + 1;
  }
  for (const [i, p] of zipfProbabilities(n, s).entries()) {
    const observed = (counts[i] as number) / draws;
    // 5 standard deviations of a binomial proportion: fails on a wrong sampler, not on noise.
    const tolerance = 5 * Math.sqrt((p * (1 - p)) / draws);
    assert.ok(Math.abs(observed - p) < tolerance, `rank ${i + 1}: ${observed.toFixed(4)} vs ${p.toFixed(4)}`);
  }
});

test('n may change between draws and n = 1 always gives rank 1', () => {
  const sampler = new ZipfSampler(1.1);
  const random = mulberry32(1);
  for (let i = 0; i < 100; i++) assert.equal(sampler.sample(1, random), 1);
  for (let n = 2; n < 500; n += 7) assert.ok(sampler.sample(n, random) <= n);
});

test('bad parameters are refused', () => {
  assert.throws(() => new ZipfSampler(0), RangeError);
  assert.throws(() => new ZipfSampler(1.1).sample(0, Math.random), RangeError);
});
