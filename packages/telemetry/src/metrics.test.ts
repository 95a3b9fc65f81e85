import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics, OutcomeTally, Registry } from './index.js';

test('an outcome tally adds each (type, outcome) once to the events counter, then starts over', async () => {
  const metrics = createMetrics('test', new Registry());
  const tally = new OutcomeTally();
  for (let i = 0; i < 5; i++) tally.add('PRICE_CHANGE', 'passthrough');
  tally.add('CREATE', 'vector');
  tally.add('TEXT', 'embedded', 7);
  tally.add('TEXT', 'cache_hit', 0);
  tally.record(metrics, 'embedder');
  tally.add('CREATE', 'vector');
  tally.record(metrics, 'embedder');
  tally.record(metrics, 'embedder'); // nothing new: adds nothing
  const values = (await metrics.events.get()).values.map((v) => [v.labels.type, v.labels.outcome, v.value]);
  assert.deepEqual(
    values.sort(),
    [
      ['CREATE', 'vector', 2],
      ['PRICE_CHANGE', 'passthrough', 5],
      ['TEXT', 'cache_hit', 0],
      ['TEXT', 'embedded', 7],
    ].sort(),
  );
});
