import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pacer } from './pacer.js';

test('batches leave on the rate schedule with no initial burst beyond the first batch', () => {
  const p = new Pacer(100);
  assert.equal(p.delayFor(20, 0), 0);
  assert.equal(p.delayFor(20, 0), 200);
  // Arriving late, the next batch is due already at 400 ms.
  assert.equal(p.delayFor(20, 350), 50);
  assert.equal(p.delayFor(20, 1000), 0);
});

test('sending 1,000 events at 250/s takes about 4 s whatever the batch size', () => {
  for (const batch of [1, 7, 50, 250]) {
    const p = new Pacer(250);
    let now = 0;
    for (let sent = 0; sent < 1000; sent += batch) now += p.delayFor(Math.min(batch, 1000 - sent), now);
    // The last batch leaves when its first event is due.
    assert.ok(now >= 4000 - (batch * 1000) / 250 - 1 && now <= 4000, `batch ${batch}: ${now}`);
  }
});

test('a rate must be positive', () => {
  assert.throws(() => new Pacer(0), RangeError);
});
