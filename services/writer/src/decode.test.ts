import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexWrite } from '@freshet/schemas';
import { modelMismatch } from './decode.js';

const collection = { model: 'text-embedding-3-small', dimension: 4 };

function write(over: Partial<IndexWrite>): IndexWrite {
  return {
    op: 'UPSERT',
    eventId: 'e1',
    eventType: 'CREATE',
    productId: 'p1',
    version: 1,
    occurredAt: 1,
    title: 't',
    category: null,
    brand: null,
    priceMinor: null,
    currency: null,
    stock: null,
    contentHash: 'h',
    model: 'text-embedding-3-small',
    dimension: 4,
    vector: Buffer.alloc(16),
    ...over,
  } as IndexWrite;
}

test('an UPSERT of the collection model passes; another model or dimension is named', () => {
  assert.equal(modelMismatch(write({}), collection), null);
  assert.match(
    modelMismatch(write({ model: 'freshet-local-v1' }), collection) ?? '',
    /made by freshet-local-v1 \(4 dimensions\) for a collection of text-embedding-3-small \(4 dimensions\)/,
  );
  assert.match(modelMismatch(write({ dimension: 8 }), collection) ?? '', /\(8 dimensions\)/);
  assert.match(modelMismatch(write({ model: null }), collection) ?? '', /made by no model/);
});

test('price, stock and delete writes carry no vector and fit any collection', () => {
  for (const op of ['PARTIAL', 'DELETE'] as const) {
    assert.equal(modelMismatch(write({ op, model: null, dimension: 0, vector: null }), collection), null);
  }
});
