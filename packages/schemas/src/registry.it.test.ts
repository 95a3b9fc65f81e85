import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AvroCodec } from './registry.js';
import type { ProductEvent } from './types.js';

const REGISTRY = process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

// avsc decodes records into class instances: compare their plain JSON form.
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function event(description: string): ProductEvent {
  return {
    eventId: randomBytes(8).toString('hex'),
    type: 'CREATE',
    productId: 'p-1',
    version: 1,
    occurredAt: 1_700_000_000_000,
    product: {
      title: 'Tai nghe chống ồn 🎧',
      description,
      category: 'Audio',
      brand: null,
      tags: ['anc'],
      attributes: { color: 'black' },
      price: { amountMinor: 9900, currency: 'USD' },
      stock: 3,
      imageUrl: null,
    },
    price: null,
    stock: null,
  };
}

test('encode frames Avro as Confluent does, small and past the scratch buffer alike, and decodes back', async () => {
  const codec = new AvroCodec({ url: REGISTRY });
  const topic = `it.${randomBytes(4).toString('hex')}.events`;
  const id = await codec.register(topic, 'ProductEvent.v1');
  // The first encode of an id goes through the registry client; the ones after through the kept type.
  // 300 KB is past the 64 KB scratch buffer, so it grows; the small one after reuses it.
  for (const description of ['first', 'small', 'ü'.repeat(150_000), 'small again']) {
    const value = event(description);
    const bytes = await codec.encode(topic, value);
    assert.equal(bytes[0], 0, 'magic byte');
    assert.equal(bytes.readInt32BE(1), id, 'schema id');
    const decoded = await codec.decode<ProductEvent>(bytes);
    assert.equal(decoded.schemaId, id);
    assert.deepEqual(plain(decoded.value), plain(value));
  }
  // Two encodes never share bytes: the scratch buffer is copied out of.
  const a = await codec.encode(topic, event('aaaa'));
  const b = await codec.encode(topic, event('bbbb'));
  assert.notDeepEqual(a, b);
  assert.equal((await codec.decode<ProductEvent>(a)).value.product?.description, 'aaaa');
  // A value the schema cannot hold is refused with the client's validation error.
  await assert.rejects(
    codec.encode(topic, { ...event('x'), version: 'not a number' } as unknown as ProductEvent),
    /ConfluentSchemaRegistryValidationError: invalid "long": "not a number"/,
  );
});
