import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, sleep } from './backoff.js';

test('full-jitter backoff stays within [0, min(cap, base·2^attempt)]', () => {
  assert.equal(
    backoffDelay(0, 100, 5000, () => 0.999999),
    99,
  );
  assert.equal(
    backoffDelay(3, 100, 5000, () => 0.5),
    400,
  );
  assert.equal(
    backoffDelay(20, 100, 5000, () => 0.999999),
    4999,
  );
  assert.equal(
    backoffDelay(5, 100, 5000, () => 0),
    0,
  );
});

test('sleep rejects as soon as the signal aborts', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const pending = sleep(10000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
  assert.ok(Date.now() - started < 1000);
});
