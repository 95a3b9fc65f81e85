import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroType } from '@freshet/schemas';
import { createEvent } from './events.js';

const entry = {
  productId: 'p-1',
  product: {
    title: 'Kettle',
    description: 'Steel',
    category: null,
    brand: null,
    tags: [],
    attributes: {},
    price: { amountMinor: 1999, currency: 'EUR' },
    stock: 3,
    imageUrl: null,
  },
};

test('a catalog line becomes a v1-encodable CREATE keyed by its productId', () => {
  const e = createEvent(entry, { version: 1, occurredAt: 1000 });
  assert.equal(e.type, 'CREATE');
  assert.equal(e.productId, 'p-1');
  assert.equal(e.version, 1);
  assert.equal(e.occurredAt, 1000);
  assert.ok(avroType('ProductEvent.v1').isValid(e));
  assert.match(e.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the same line gives the same eventId (a re-sent backfill batch is deduplicated); a change gives another', () => {
  const a = createEvent(entry, { version: 1, occurredAt: 1000 });
  const b = createEvent(entry, { version: 1, occurredAt: 2000 });
  assert.equal(a.eventId, b.eventId);
  const edited = createEvent(
    { ...entry, product: { ...entry.product, title: 'Kettle 2' } },
    { version: 1, occurredAt: 1 },
  );
  assert.notEqual(edited.eventId, a.eventId);
  assert.notEqual(createEvent(entry, { version: 2, occurredAt: 1 }).eventId, a.eventId);
});

test("a line's own version and occurredAt win over the defaults", () => {
  const e = createEvent({ ...entry, version: 42, occurredAt: 7 }, { version: 1, occurredAt: 1000 });
  assert.equal(e.version, 42);
  assert.equal(e.occurredAt, 7);
});
