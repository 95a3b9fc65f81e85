import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroType, SCHEMA_NAMES } from './avro.js';
import type { EmbedRequest, IndexWrite, ProductEvent } from './types.js';

// avsc decodes records into class instances: compare their plain JSON form.
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const event: ProductEvent = {
  eventId: 'e1',
  type: 'UPDATE',
  productId: 'p1',
  version: 3,
  occurredAt: 1_700_000_000_000,
  product: {
    title: 'Tai nghe 🎧',
    description: 'd',
    category: null,
    brand: 'b',
    tags: ['x'],
    attributes: { color: 'red' },
    price: { amountMinor: 100, currency: 'USD' },
    stock: 2,
    imageUrl: null,
  },
  price: null,
  stock: null,
};

test('every .avsc parses', () => {
  for (const name of SCHEMA_NAMES) assert.ok(avroType(name));
});

test('ProductEvent, EmbedRequest and IndexWrite round-trip through their schemas', () => {
  const v1 = avroType('ProductEvent.v1');
  assert.deepEqual(plain(v1.fromBuffer(v1.toBuffer(event))), plain(event));
  const request: EmbedRequest = {
    ...event,
    locale: null,
    text: 't',
    contentHash: 'h',
    templateVersion: 1,
    routedAt: 1,
  };
  const er = avroType('EmbedRequest');
  assert.deepEqual(plain(er.fromBuffer(er.toBuffer(request))), plain(request));
  const write: IndexWrite = {
    op: 'UPSERT',
    eventId: 'e',
    eventType: 'CREATE',
    productId: 'p',
    version: 1,
    occurredAt: 1,
    title: 't',
    category: null,
    brand: null,
    priceMinor: 1,
    currency: 'USD',
    stock: 1,
    contentHash: 'h',
    model: 'm',
    dimension: 2,
    vector: Buffer.alloc(8),
  };
  const iw = avroType('IndexWrite');
  assert.deepEqual(plain(iw.fromBuffer(iw.toBuffer(write))), plain(write));
});

test('a v1 event reads with the v2 schema (BACKWARD): locale defaults to null', () => {
  const v1 = avroType('ProductEvent.v1');
  const v2 = avroType('ProductEvent.v2');
  const resolver = v2.createResolver(v1);
  const read = v2.fromBuffer(v1.toBuffer(event), resolver) as ProductEvent;
  assert.equal(read.locale, null);
  assert.equal(read.productId, 'p1');
});
