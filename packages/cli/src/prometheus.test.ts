import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from '@freshet/telemetry';
import { bucketDelta, histogramQuantile, parsePrometheus, quantileFromBuckets, sumOf } from './prometheus.js';

test('parses what prom-client serves, labels with escapes included', async () => {
  const registry = new Registry();
  const events = new Counter({
    name: 'freshet_events_total',
    help: 'h',
    labelNames: ['stage', 'outcome'],
    registers: [registry],
  });
  events.inc({ stage: 'writer', outcome: 'applied' }, 5);
  events.inc({ stage: 'writer', outcome: 'dlq' }, 2);
  events.inc({ stage: 'router', outcome: 'say "hi"\\' }, 1);
  const samples = parsePrometheus(await registry.metrics());
  assert.equal(sumOf(samples, 'freshet_events_total', { stage: 'writer' }), 7);
  assert.equal(sumOf(samples, 'freshet_events_total', { outcome: 'say "hi"\\' }), 1);
  assert.equal(sumOf(samples, 'freshet_absent'), null);
});

test('histogram quantiles interpolate inside the bucket like histogram_quantile', async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: 'freshet_freshness_seconds',
    help: 'h',
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  for (let i = 0; i < 50; i++) h.observe(0.05);
  for (let i = 0; i < 50; i++) h.observe(0.3);
  const samples = parsePrometheus(await registry.metrics());
  assert.equal(histogramQuantile(samples, 'freshet_freshness_seconds', 0.5), 0.1);
  // rank 99 of 100: 49/50 of the way through the 0.1–0.5 bucket.
  assert.ok(Math.abs(histogramQuantile(samples, 'freshet_freshness_seconds', 0.99)! - 0.492) < 1e-9);
  assert.equal(
    quantileFromBuckets(
      [
        [1, 0],
        [Number.POSITIVE_INFINITY, 0],
      ],
      0.5,
    ),
    null,
  );
  // Beyond the last finite bucket all that is known is that bound.
  assert.equal(
    quantileFromBuckets(
      [
        [1, 0],
        [Number.POSITIVE_INFINITY, 4],
      ],
      0.5,
    ),
    1,
  );
});

test('bucketDelta gives what was observed between two scrapes', async () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'f', help: 'h', buckets: [1, 2], registers: [registry] });
  h.observe(0.5);
  const before = parsePrometheus(await registry.metrics());
  h.observe(1.5);
  h.observe(1.5);
  const after = parsePrometheus(await registry.metrics());
  assert.deepEqual(bucketDelta(before, after, 'f'), [
    [1, 0],
    [2, 2],
    [Number.POSITIVE_INFINITY, 2],
  ]);
});
