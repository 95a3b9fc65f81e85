import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketDelta, histogramQuantile, histogramTotals, parseHistogram, percentile } from './stats.js';

test('percentile is nearest-rank over unsorted values', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(values, 50), 5);
  assert.equal(percentile(values, 99), 10);
  assert.equal(percentile(values, 10), 1);
  assert.ok(Number.isNaN(percentile([], 50)));
});

const exposition = [
  '# TYPE freshet_freshness_seconds histogram',
  'freshet_freshness_seconds_bucket{le="0.1"} 10',
  'freshet_freshness_seconds_bucket{le="0.25"} 90',
  'freshet_freshness_seconds_bucket{le="1"} 100',
  'freshet_freshness_seconds_bucket{le="+Inf"} 100',
  'freshet_freshness_seconds_sum 12',
  'freshet_freshness_seconds_count 100',
].join('\n');

test('histogram quantiles interpolate inside the bucket like histogram_quantile', () => {
  const buckets = parseHistogram(exposition, 'freshet_freshness_seconds');
  assert.equal(buckets.length, 4);
  // rank 50 lies in (0.1, 0.25] holding 80 observations from 10: 0.1 + 0.15 × 40/80.
  assert.ok(Math.abs(histogramQuantile(buckets, 0.5) - 0.175) < 1e-9);
  // rank 99 lies in (0.25, 1] holding 10 from 90: 0.25 + 0.75 × 9/10.
  assert.ok(Math.abs(histogramQuantile(buckets, 0.99) - 0.925) < 1e-9);
  assert.ok(Number.isNaN(histogramQuantile([], 0.5)));
});

test('bucketDelta keeps only what was observed in between', () => {
  const before = parseHistogram(exposition, 'freshet_freshness_seconds');
  const after = before.map((b) => ({ le: b.le, count: b.count + (b.le >= 1 ? 5 : 0) }));
  const delta = bucketDelta(after, before);
  assert.deepEqual(
    delta.map((b) => b.count),
    [0, 0, 5, 5],
  );
  assert.equal(histogramQuantile(delta, 0.5), 0.625);
});

test('histogramTotals sums the series whose labels match', () => {
  const text = [
    '# HELP freshet_milvus_duration_seconds x',
    'freshet_milvus_duration_seconds_bucket{le="0.1",op="upsert"} 3',
    'freshet_milvus_duration_seconds_sum{op="upsert"} 0.3',
    'freshet_milvus_duration_seconds_count{op="upsert"} 3',
    'freshet_milvus_duration_seconds_sum{op="delete"} 0.5',
    'freshet_milvus_duration_seconds_count{op="delete"} 1',
  ].join('\n');
  assert.deepEqual(histogramTotals(text, 'freshet_milvus_duration_seconds', { op: 'upsert' }), {
    sum: 0.3,
    count: 3,
  });
  assert.deepEqual(histogramTotals(text, 'freshet_milvus_duration_seconds'), { sum: 0.8, count: 4 });
  assert.deepEqual(histogramTotals(text, 'freshet_stage_duration_seconds'), { sum: 0, count: 0 });
});
