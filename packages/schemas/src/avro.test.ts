import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroType, SCHEMA_NAMES } from './avro.js';
import type { EmbedRequest, ProductEvent } from './types.js';

const product = {
  title: 'Trail runner',
  description: 'Light shoe',
  category: 'Shoes',
  brand: null,
  tags: ['running'],
  attributes: { color: 'red' },
  price: { amountMinor: 12900, currency: 'EUR' },
  stock: 2,
  imageUrl: null,
};

test('every shipped .avsc file is a valid Avro schema', () => {
  for (const name of SCHEMA_NAMES) assert.doesNotThrow(() => avroType(name), name);
});

test('an EmbedRequest with product and price round-trips (Product and Price keep the catalog namespace)', () => {
  const request: EmbedRequest = {
    eventId: 'e1',
    type: 'UPDATE',
    productId: 'p-1',
    version: 3,
    occurredAt: 1_700_000_000_000,
    product,
    price: { amountMinor: 1, currency: 'EUR' },
    stock: null,
    locale: 'vi-VN',
    text: 'Trail runner',
    contentHash: 'ab'.repeat(32),
    templateVersion: 1,
    routedAt: 1_700_000_000_001,
  };
  const type = avroType('EmbedRequest');
  // avsc decodes records as class instances; compare their data.
  assert.deepEqual(JSON.parse(JSON.stringify(type.fromBuffer(type.toBuffer(request)))), request);
});

test('a v1 ProductEvent reads with the v2 schema (BACKWARD): locale defaults to null', () => {
  const event: ProductEvent = {
    eventId: 'e1',
    type: 'CREATE',
    productId: 'p-1',
    version: 0,
    occurredAt: 1_700_000_000_000,
    product,
    price: null,
    stock: null,
  };
  const v1 = avroType('ProductEvent.v1');
  const v2 = avroType('ProductEvent.v2');
  const read = v2.fromBuffer(v1.toBuffer(event), v2.createResolver(v1)) as ProductEvent;
  assert.equal(read.locale, null);
  assert.equal(read.productId, 'p-1');
});
