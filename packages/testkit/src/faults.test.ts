import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultPlan, goDuration, InvalidFaultError, parseFault } from './faults.js';

function clock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

test('a fault without a limit stays until cleared', () => {
  const plan = new FaultPlan();
  plan.inject({ kind: 'status5xx', status: 502 });
  for (let i = 0; i < 5; i++) assert.deepEqual(plan.decide(8).outcome, { kind: 'status5xx', status: 502 });
  plan.clear('status5xx');
  assert.deepEqual(plan.decide(8).outcome, { kind: 'ok' });
});

test('a fault for N requests touches exactly N requests', () => {
  const plan = new FaultPlan();
  plan.inject({ kind: 'timeout', requests: 2 });
  assert.deepEqual(
    [plan.decide(8), plan.decide(8), plan.decide(8)].map((f) => f.outcome.kind),
    ['timeout', 'timeout', 'ok'],
  );
  assert.deepEqual(plan.active(), []);
});

test('a fault for a duration lapses when its time is up, not before', () => {
  const c = clock();
  const plan = new FaultPlan(c.now);
  plan.inject({ kind: 'status429', durationMs: 500, retryAfterSeconds: 0.25 });
  c.advance(499);
  assert.deepEqual(plan.decide(8).outcome, {
    kind: 'status429',
    retryAfterSeconds: 0.25,
    resetRequests: '250ms',
  });
  assert.equal(plan.active()[0]?.expiresAt, 1_500);
  c.advance(1);
  assert.deepEqual(plan.decide(8).outcome, { kind: 'ok' });
});

test('injecting a kind again replaces it and restarts its count', () => {
  const plan = new FaultPlan();
  plan.inject({ kind: 'status5xx', requests: 1 });
  plan.inject({ kind: 'status5xx', status: 503, requests: 2 });
  assert.equal(plan.active().length, 1);
  assert.deepEqual(plan.active()[0]?.remainingRequests, 2);
  assert.deepEqual(plan.decide(8).outcome, { kind: 'status5xx', status: 503 });
});

test('the most severe failure wins and the others are not used up', () => {
  const plan = new FaultPlan();
  plan.inject({ kind: 'failRate', rate: 1, requests: 1 });
  plan.inject({ kind: 'status5xx', requests: 1 });
  plan.inject({ kind: 'status429', requests: 1 });
  plan.inject({ kind: 'timeout', requests: 1 });
  plan.inject({ kind: 'wrongDimension', requests: 1 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => plan.decide(8)).map((f) => [f.outcome.kind, f.wrongDimensions]),
    [
      ['timeout', null],
      ['status429', null],
      ['status5xx', null],
      ['failRate', null],
      ['ok', 9],
    ],
  );
});

test('latency applies on top of the outcome and is counted as applied', () => {
  const plan = new FaultPlan();
  plan.inject({ kind: 'latency', ms: { min: 10, max: 20 } });
  plan.inject({ kind: 'status5xx', requests: 1 });
  const fate = plan.decide(8);
  assert.ok(fate.delayMs >= 10 && fate.delayMs <= 20);
  assert.deepEqual(fate.applied, ['latency', 'status5xx']);
  assert.deepEqual(plan.decide(8).applied, ['latency']);
});

test('failRate is reproducible from its seed', () => {
  const run = (seed: number) => {
    const plan = new FaultPlan();
    plan.inject({ kind: 'failRate', rate: 0.5, seed });
    return Array.from({ length: 64 }, () => plan.decide(8).outcome.kind);
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('parseFault refuses nonsense with a message naming the problem', () => {
  const bad: unknown[] = [
    null,
    { kind: 'nope' },
    { kind: 'latency' },
    { kind: 'latency', ms: { min: 5, max: 1 } },
    { kind: 'status5xx', status: 504 },
    { kind: 'failRate', rate: -0.1 },
    { kind: 'timeout', requests: 0 },
    { kind: 'timeout', requests: 1, durationMs: 10 },
    { kind: 'wrongDimension', dimensions: 0 },
    { kind: 'status429', retryAfterSeconds: 'soon' },
  ];
  for (const value of bad) assert.throws(() => parseFault(value), InvalidFaultError, JSON.stringify(value));
  assert.deepEqual(parseFault({ kind: 'timeout', durationMs: 10, extra: 1 }), {
    kind: 'timeout',
    durationMs: 10,
  });
});

test('goDuration writes durations the way OpenAI’s x-ratelimit-reset-* headers do', () => {
  assert.equal(goDuration(0.02), '20ms');
  assert.equal(goDuration(1), '1s');
  assert.equal(goDuration(1.5), '1.5s');
  assert.equal(goDuration(360), '6m0s');
});
