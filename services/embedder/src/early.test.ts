import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmbedRequest } from '@freshet/schemas';
import { earlyPassThrough, stillToSend } from './early.js';

const req = (productId: string, type: EmbedRequest['type']): EmbedRequest => ({
  eventId: `${productId}-${type}`,
  type,
  productId,
  version: 1,
  occurredAt: 0,
  product: null,
  price: null,
  stock: null,
  locale: null,
  text: type === 'CREATE' || type === 'UPDATE' ? 'text' : null,
  contentHash: type === 'CREATE' || type === 'UPDATE' ? 'hash' : null,
  templateVersion: 2,
  routedAt: 0,
});

test('pass-through records before any text of their product may go first; the rest wait', () => {
  const batch = [
    req('a', 'PRICE_CHANGE'), // 0: early
    req('b', 'UPDATE'), // 1: text
    req('b', 'STOCK_UPDATE'), // 2: after b's text: waits
    req('a', 'STOCK_UPDATE'), // 3: a has no text: early
    req('c', 'DELETE'), // 4: early
    req('c', 'CREATE'), // 5: text
    req('c', 'PRICE_CHANGE'), // 6: waits for c's CREATE
  ];
  assert.deepEqual([...earlyPassThrough(batch)], [0, 3, 4]);
});

test('a batch of texts only, or of pass-through only, is all one kind', () => {
  assert.deepEqual([...earlyPassThrough([req('a', 'UPDATE'), req('b', 'CREATE')])], []);
  assert.deepEqual([...earlyPassThrough([req('a', 'PRICE_CHANGE'), req('a', 'DELETE')])], [0, 1]);
});

test('a product whose records all went out early is not held for the rest of its batch', () => {
  const batch = [
    req('hot', 'PRICE_CHANGE'), // early
    req('b', 'UPDATE'), // text
    req('hot', 'STOCK_UPDATE'), // early
    req('c', 'PRICE_CHANGE'), // early
    req('c', 'UPDATE'), // text after c's early price: c still has an output to come
  ];
  const early = earlyPassThrough(batch);
  assert.deepEqual([...early], [0, 2, 3]);
  assert.deepEqual([...stillToSend(batch, early)].sort(), ['b', 'c']);
  // A busy product's records are not sent early (the handler filters them out): it stays held.
  assert.deepEqual([...stillToSend(batch, new Set([2, 3]))].sort(), ['b', 'c', 'hot']);
});
