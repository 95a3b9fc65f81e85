import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { embedderReadSchema } from './avro.js';
import { DecodeError } from './errors.js';
import { AvroCodec } from './registry.js';
import type { EmbedderRequest, EmbedRequest, ProductEvent } from './types.js';

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

test('decodeAs reads an EmbedRequest as the embedder does: the product scalars, nothing of its text fields', async () => {
  const codec = new AvroCodec({ url: REGISTRY });
  const topic = `it.${randomBytes(4).toString('hex')}.embed`;
  const id = await codec.register(topic, 'EmbedRequest');
  const full: EmbedRequest = {
    ...event('a long description the embedder never needs'),
    locale: null,
    text: 'Tai nghe chống ồn 🎧 Audio anc a long description',
    contentHash: 'f'.repeat(64),
    templateVersion: 2,
    routedAt: 1_700_000_000_100,
  };
  const reader = embedderReadSchema();
  for (const value of [
    full,
    { ...full, type: 'DELETE' as const, product: null, text: null, contentHash: null },
  ]) {
    const decoded = await codec.decodeAs<EmbedderRequest>(await codec.encode(topic, value), reader);
    assert.equal(decoded.schemaId, id);
    const { product, ...rest } = value;
    const scalars = product && {
      title: product.title,
      category: product.category,
      brand: product.brand,
      price: product.price,
      stock: product.stock,
    };
    assert.deepEqual(plain(decoded.value), plain({ ...rest, product: scalars }));
  }
  // A record of a schema the reader cannot resolve (a ProductEvent has no text fields) is bad input, for the DLQ.
  const other = `it.${randomBytes(4).toString('hex')}.events`;
  await codec.register(other, 'ProductEvent.v1');
  const foreign = await codec.encode(other, event('x'));
  await assert.rejects(
    codec.decodeAs(foreign, reader),
    (e: unknown) => e instanceof DecodeError && e.code === 'FRESHET_AVRO_DECODE' && !e.canRetry,
  );
  await assert.rejects(
    codec.decodeAs(Buffer.from('not avro'), reader),
    (e: unknown) => e instanceof DecodeError && e.code === 'FRESHET_NOT_AVRO' && !e.canRetry,
  );
});
