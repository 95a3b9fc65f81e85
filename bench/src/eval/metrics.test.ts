import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recallAtK, reciprocalRankAtK, scoreQuery, summarize } from './metrics.js';

const rel = (...ids: string[]) => new Set(ids);

test('recall@k counts relevant ids in the top k, capped at min(k, relevant)', () => {
  assert.equal(recallAtK(['a', 'x', 'b', 'y', 'z', 'c'], rel('a', 'b', 'c'), 5), 2 / 3);
  assert.equal(recallAtK(['a', 'b', 'c', 'd', 'e'], rel('a', 'b', 'c', 'd', 'e', 'f', 'g'), 5), 1);
  assert.equal(recallAtK(['x', 'a', 'y', 'z', 'w'], rel('a', 'b', 'c', 'd', 'e', 'f', 'g'), 5), 1 / 5);
  assert.equal(recallAtK(['x', 'y'], rel('a'), 5), 0);
  assert.equal(recallAtK([], rel('a'), 5), 0);
});

test('recall@k ignores what comes after k and counts a repeated id once', () => {
  assert.equal(recallAtK(['x', 'x', 'x', 'x', 'x', 'a'], rel('a'), 5), 0);
  assert.equal(recallAtK(['a', 'a', 'x', 'y', 'z'], rel('a', 'b'), 5), 1 / 2);
});

test('reciprocal rank is 1/rank of the first relevant id within k, else 0', () => {
  assert.equal(reciprocalRankAtK(['a', 'b'], rel('a'), 10), 1);
  assert.equal(reciprocalRankAtK(['x', 'y', 'b', 'a'], rel('a', 'b'), 10), 1 / 3);
  assert.equal(reciprocalRankAtK(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'a'], rel('a'), 10), 0);
  assert.equal(reciprocalRankAtK(['1', '2', '3', '4', '5', '6', '7', '8', '9', 'a'], rel('a'), 10), 1 / 10);
});

test('a query without relevant products or a k below 1 is refused', () => {
  assert.throws(() => recallAtK(['a'], rel(), 5), RangeError);
  assert.throws(() => reciprocalRankAtK(['a'], rel(), 10), RangeError);
  assert.throws(() => recallAtK(['a'], rel('a'), 0), RangeError);
});

test('summarize averages per query', () => {
  const s = summarize([
    scoreQuery(['a', 'b', 'c', 'd', 'e'], rel('a')),
    scoreQuery(['x', 'b', 'y', 'z', 'w'], rel('a', 'b')),
  ]);
  assert.equal(s.queries, 2);
  assert.equal(s.recall5, (1 + 0.5) / 2);
  assert.equal(s.mrr10, (1 + 0.5) / 2);
  assert.ok(Number.isNaN(summarize([]).recall5));
});
