import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BacklogRun, type BacklogSystemRun, medianDrain, roundLabel } from './backlog.js';
import { backlogMarkdown, backlogTargets } from './results.js';

const drain = (eventsPerSecond: number, lost = 0): BacklogSystemRun => ({
  events: 45_000,
  seconds: 45_000 / eventsPerSecond,
  eventsPerSecond,
  tokens: 1000,
  requests: 10,
  inputs: 100,
  cpuSeconds: { router: 1, embedder: 2, writer: 1 },
  peakRssMb: { router: 200 },
  oracle: { rows: 10, lost, stale: 0, ghost: 0 },
});

test('the median drain is the middle one by events/s, the lower middle of an even count', () => {
  const [a, b, c, d] = [drain(4000), drain(3000), drain(5000), drain(3500)];
  assert.equal(medianDrain([a, b, c]), a);
  assert.equal(medianDrain([a, b, c, d]), d);
  assert.equal(medianDrain([b]), b);
  assert.equal(medianDrain([]), undefined);
});

test('round 0 keeps the segment label, later rounds get names of their own', () => {
  assert.equal(roundLabel('backlog20', 0), 'backlog20');
  assert.equal(roundLabel('backlog20', 2), 'backlog20r2');
});

test('with rounds, the report lists every drain, marks the medians and checks every drain against the oracle', () => {
  // The first of each is its median, as runBacklog picks it.
  const freshet = [drain(4000), drain(4200), drain(3900)];
  const seedStyle = [drain(2000), drain(2100, 1), drain(1900)];
  const run: BacklogRun = {
    label: 'backlog20',
    latencyMs: 20,
    provider: 'openai',
    creates: 5000,
    mixEvents: 40_000,
    events: 45_000,
    freshet: freshet[0] as BacklogSystemRun,
    seedStyle: seedStyle[0] as BacklogSystemRun,
    drains: { freshet, seedStyle },
  };
  assert.equal(medianDrain(freshet), run.freshet);
  assert.equal(medianDrain(seedStyle), run.seedStyle);
  const md = backlogMarkdown({ runs: [run] }).join('\n');
  const rows = md.split('\n').filter((l) => /^\| 20 ms \| (freshet|seed-style) \| \d/.test(l));
  assert.equal(rows.length, 6, md);
  assert.deepEqual(
    rows.filter((l) => l.includes('(median)')).map((l) => l.split('|')[4]?.trim()),
    ['4,000', '2,000'],
  );
  const oracle = backlogTargets({ runs: [run] }).find((t) => t.name.includes('oracle'));
  assert.equal(oracle?.met, false);
  assert.match(oracle?.value ?? '', /seedStyle: 1\/0\/0/);
});
