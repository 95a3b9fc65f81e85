import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureStack } from '../support/stack.js';
import { runChaos } from './chaos.js';
import { SHORT } from './presets.js';
import { failures, renderMarkdown } from './report.js';

// Issue 5, short: every chaos scenario once against a private Kafka + Milvus (the shared ones are never
// touched), then Milvus must equal the oracle and the DLQ hold exactly the injected bad inputs.
// The full run (≥ 20,000 events, 5 kills per service, 30 s / 90 s outages) is `node test/dist/chaos/chaos-main.js`.
test('chaos (short): kill -9, Milvus outage, API 429 + outage, broker restart, scale 2→1 lose nothing', {
  timeout: 15 * 60 * 1000,
}, async () => {
  await ensureStack(['registry']);
  const result = await runChaos({
    ...SHORT,
    label: 'chaos-short',
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(renderMarkdown(result));
  assert.deepEqual(failures(result), []);
  assert.ok(result.totalEvents >= SHORT.catalogSize + SHORT.eventsPerScenario * SHORT.scenarios.length);
  assert.equal(result.index.rows, result.index.expectedPresent);
});
