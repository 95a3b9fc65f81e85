import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { DedupWindow } from './dedup.js';
import { parseUuid, UuidWindow } from './uuid-window.js';

test('parseUuid reads the 128 bits of a canonical UUID and refuses anything else', () => {
  const out = new Uint32Array(4);
  assert.equal(parseUuid('01234567-89ab-cdef-0123-456789abcdef', out), true);
  assert.deepEqual([...out], [0x01234567, 0x89abcdef, 0x01234567, 0x89abcdef]);
  for (const id of [
    '01234567-89AB-cdef-0123-456789abcdef', // upper case: another eventId, kept as a string
    '0123456789ab-cdef-0123-456789abcdef-',
    '01234567-89ab-cdef-0123-456789abcde',
    '01234567-89ab-cdef-0123-456789abcdeg',
    '{1234567-89ab-cdef-0123-456789abcdef',
    'e1',
  ])
    assert.equal(parseUuid(id, out), false, id);
});

test('the window holds the last `capacity` UUIDs and drops the oldest first', () => {
  const ids = Array.from({ length: 5 }, () => randomUUID());
  const window = new UuidWindow(3);
  for (const id of ids) assert.equal(window.add(id), true);
  assert.equal(window.size, 3);
  assert.deepEqual(
    ids.map((id) => window.has(id)),
    [false, false, true, true, true],
  );
  assert.equal(window.add('not-a-uuid'), false);
  assert.equal(window.has('not-a-uuid'), false);
});

test('the window answers like a plain FIFO set through many evictions and probe-run collisions', () => {
  // Small capacities make tiny indexes, so keys collide and deletions shift probe runs often. Ids share
  // their first words (like time-based UUIDs) so the hash must mix every word.
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const id = (n: number) => `0190a1b2-c3d4-7e5f-8a6b-${n.toString(16).padStart(12, '0')}`;
  for (const capacity of [1, 2, 3, 5, 8, 13, 64]) {
    const window = new UuidWindow(capacity);
    const order: string[] = [];
    const held = new Set<string>();
    for (let step = 0; step < 20_000; step++) {
      const candidate = id(random() % (capacity * 3));
      if (random() % 2 === 0) {
        assert.equal(window.has(candidate), held.has(candidate), `capacity ${capacity}, step ${step}`);
        continue;
      }
      window.add(candidate);
      if (held.has(candidate)) continue;
      order.push(candidate);
      held.add(candidate);
      if (order.length > capacity) held.delete(order.shift() as string);
    }
    assert.equal(window.size, held.size);
    for (let n = 0; n < capacity * 3; n++) assert.equal(window.has(id(n)), held.has(id(n)));
  }
});

test('the dedup window remembers UUIDs and ids of other forms, each up to its capacity', () => {
  const window = new DedupWindow(2);
  const uuids = [randomUUID(), randomUUID(), randomUUID()];
  const batch = window.batch();
  for (const id of [...uuids, 'E-1', 'E-2', 'E-3', uuids[0]!.toUpperCase()])
    assert.equal(batch.isDuplicate(id), false);
  batch.commit();
  assert.deepEqual(
    [...uuids, 'E-1', 'E-2', 'E-3', uuids[0]!.toUpperCase()].map((id) => window.has(id)),
    [false, true, true, false, false, true, true],
  );
  // The upper-case form is another eventId, held with the ids of other forms (it pushed 'E-2' out).
  assert.equal(window.size, 4);
});
