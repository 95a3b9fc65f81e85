import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentHash, type EmbedRequest, embeddingText } from '@freshet/schemas';
import { toWrite } from './builder.js';
import { compareSnapshots, persistentMismatches, spreadSample } from './verify.js';

test('compareSnapshots reports missing, extra and different versions, sorted by id', () => {
  const old = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  const neu = new Map([
    ['a', 1],
    ['b', 5],
    ['d', 1],
  ]);
  assert.deepEqual(compareSnapshots(old, neu), [
    { productId: 'b', old: 2, new: 5 },
    { productId: 'c', old: 3, new: null },
    { productId: 'd', old: null, new: 1 },
  ]);
  assert.deepEqual(compareSnapshots(old, new Map(old)), []);
});

test('persistentMismatches keeps only mismatches unchanged between two rounds (not writes in flight)', () => {
  const first = [
    { productId: 'a', old: 2, new: 1 },
    { productId: 'b', old: 3, new: null },
  ];
  const second = [
    { productId: 'a', old: 3, new: 2 },
    { productId: 'b', old: 3, new: null },
    { productId: 'c', old: 1, new: 0 },
  ];
  assert.deepEqual(persistentMismatches(first, second), [{ productId: 'b', old: 3, new: null }]);
  assert.deepEqual(persistentMismatches([], second), []);
});

test('spreadSample covers the id range deterministically', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `p-${String(i).padStart(3, '0')}`);
  const sample = spreadSample(ids.toReversed(), 4);
  assert.deepEqual(sample, ['p-000', 'p-025', 'p-050', 'p-075']);
  assert.deepEqual(spreadSample(['b', 'a'], 5), ['a', 'b']);
});

test('toWrite rebuilds the text and hashes it for the new model, whatever the router computed', () => {
  const product = {
    title: 'Kettle 1.7L',
    description: 'Steel',
    category: 'kitchen',
    brand: 'Acme',
    tags: [],
    attributes: { color: 'red' },
    price: { amountMinor: 1999, currency: 'EUR' },
    stock: 3,
    imageUrl: null,
  };
  const request: EmbedRequest = {
    eventId: 'e1',
    type: 'UPDATE',
    productId: 'p1',
    version: 7,
    occurredAt: 1,
    product,
    price: null,
    stock: null,
    locale: null,
    text: 'old template text',
    contentHash: 'old-model-hash',
    templateVersion: 1,
    routedAt: 2,
  };
  const model = { model: 'text-embedding-3-large', dimension: 64, templateVersion: 1 };
  const text = { templateVersion: 1, attributes: ['color'] };
  const w = toWrite(request, model, text)!;
  assert.equal(w.op, 'UPSERT');
  assert.equal(w.contentHash, contentHash(embeddingText(product, text), model));
  assert.equal(w.dimension, 64);
  assert.equal(w.priceMinor, 1999);
  assert.equal(
    toWrite(
      { ...request, type: 'PRICE_CHANGE', product: null, price: { amountMinor: 5, currency: 'USD' } },
      model,
      text,
    )!.op,
    'PARTIAL',
  );
  assert.equal(toWrite({ ...request, type: 'DELETE', product: null }, model, text)!.op, 'DELETE');
  assert.equal(toWrite({ ...request, product: null }, model, text), null);
});
