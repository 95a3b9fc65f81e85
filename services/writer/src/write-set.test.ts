import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexedState, PriceStock, ProductPlan } from './collapse.js';
import { writeSetOf } from './handler.js';

const state = (over: Partial<IndexedState>): IndexedState => ({
  rowVersion: 1,
  tombstoneVersion: null,
  rowSourceOffset: 3,
  priceMinor: 900,
  currency: 'USD',
  stock: 4,
  ...over,
});
const partial = (productId: string, fields: PriceStock): ProductPlan => ({
  kind: 'partial',
  productId,
  fields,
  version: 2,
  occurredAt: 10,
  sourceOffset: 5,
});

test('every partial row names price, currency and stock (the indexed ones where the plan changes none), so a group is one call', () => {
  const set = writeSetOf(
    [partial('price', { priceMinor: 1200, currency: 'EUR' }), partial('stock', { stock: 0 })],
    99,
    new Map([
      ['price', state({})],
      ['stock', state({ priceMinor: null, currency: null })],
    ]),
  );
  assert.deepEqual(
    set.partials.map((p) => p.fields),
    [
      { priceMinor: 1200, currency: 'EUR', stock: 4 },
      { priceMinor: null, currency: null, stock: 0 },
    ],
  );
  assert.deepEqual(set.partials[0], {
    productId: 'price',
    fields: { priceMinor: 1200, currency: 'EUR', stock: 4 },
    version: 2,
    occurredAt: 10,
    indexedAt: 99,
    sourceOffset: 5,
  });
});

test('without the indexed price and stock a partial row names only what it changes', () => {
  const { stock: _, ...unread } = state({});
  const set = writeSetOf([partial('p', { stock: 1 })], 1, new Map([['p', unread]]));
  assert.deepEqual(set.partials[0]?.fields, { stock: 1 });
  assert.deepEqual(writeSetOf([partial('q', { stock: 2 })], 1).partials[0]?.fields, { stock: 2 });
});
