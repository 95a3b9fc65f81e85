import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DedupWindow } from './dedup.js';

test('an eventId forwarded in a committed batch is a duplicate in later batches', () => {
  const window = new DedupWindow(10);
  const first = window.batch();
  assert.equal(first.isDuplicate('e1'), false);
  first.commit();
  assert.equal(window.batch().isDuplicate('e1'), true);
  assert.equal(window.batch().isDuplicate('e2'), false);
});

test('a batch that was never committed (produce failed) leaves no trace: its retry forwards everything again', () => {
  const window = new DedupWindow(10);
  const attempt = window.batch();
  assert.equal(attempt.isDuplicate('e1'), false);
  assert.equal(attempt.isDuplicate('e2'), false);
  // produceAll threw here: no commit()
  assert.equal(window.size, 0);
  const retry = window.batch();
  assert.equal(retry.isDuplicate('e1'), false);
  assert.equal(retry.isDuplicate('e2'), false);
  retry.commit();
  assert.equal(window.has('e1'), true);
  assert.equal(window.has('e2'), true);
});

test('a duplicate inside one batch is dropped before anything is committed', () => {
  const window = new DedupWindow(10);
  const batch = window.batch();
  assert.equal(batch.isDuplicate('e1'), false);
  assert.equal(batch.isDuplicate('e1'), true);
  assert.equal(batch.isDuplicate('e2'), false);
});

test('the window is bounded: the oldest eventIds fall out first', () => {
  const window = new DedupWindow(3);
  for (const id of ['e1', 'e2', 'e3', 'e4']) {
    const batch = window.batch();
    assert.equal(batch.isDuplicate(id), false);
    batch.commit();
  }
  assert.equal(window.size, 3);
  assert.equal(window.has('e1'), false);
  assert.deepEqual(
    ['e2', 'e3', 'e4'].map((id) => window.has(id)),
    [true, true, true],
  );
});

test('asking about a remembered id does not keep it alive longer than newer ones', () => {
  const window = new DedupWindow(2);
  const a = window.batch();
  a.isDuplicate('e1');
  a.isDuplicate('e2');
  a.commit();
  assert.equal(window.batch().isDuplicate('e1'), true);
  const b = window.batch();
  b.isDuplicate('e3');
  b.commit();
  assert.equal(window.has('e1'), false);
  assert.equal(window.has('e2'), true);
});

test('a window of 0 remembers nothing across batches but still drops duplicates inside a batch', () => {
  const window = new DedupWindow(0);
  const batch = window.batch();
  assert.equal(batch.isDuplicate('e1'), false);
  assert.equal(batch.isDuplicate('e1'), true);
  batch.commit();
  assert.equal(window.batch().isDuplicate('e1'), false);
});
