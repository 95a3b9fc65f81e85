import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadRouterConfig } from '@freshet/config';
import { contentHash, embeddingText, type ProductEvent, UNKNOWN_VERSION } from '@freshet/schemas';
import { routeOptions, toEmbedRequest } from './route.js';

const options = routeOptions(loadRouterConfig({}));
const product = {
  title: 'Trail runner',
  description: 'Light shoe for rough ground',
  category: 'Shoes',
  brand: 'Nimbus',
  tags: ['running'],
  attributes: { color: 'red', warehouse: 'B7' },
  price: { amountMinor: 12900, currency: 'EUR' },
  stock: 2,
  imageUrl: null,
};
const base: ProductEvent = {
  eventId: 'e1',
  type: 'UPDATE',
  productId: 'p-1',
  version: 7,
  occurredAt: 1_700_000_000_000,
  product,
  price: null,
  stock: null,
};

test('CREATE and UPDATE carry the template text and its content hash for the configured model', () => {
  for (const type of ['CREATE', 'UPDATE'] as const) {
    const request = toEmbedRequest({ ...base, type }, options, 42);
    const text = embeddingText(product, options);
    assert.equal(request.text, text);
    assert.equal(request.contentHash, contentHash(text, options));
    assert.equal(request.templateVersion, 2);
    assert.equal(request.routedAt, 42);
    assert.equal(request.version, 7);
    assert.equal(request.occurredAt, base.occurredAt);
    assert.deepEqual(request.product, product);
  }
});

test('price, stock and delete events carry no text and no hash', () => {
  const events: ProductEvent[] = [
    { ...base, type: 'PRICE_CHANGE', product: null, price: { amountMinor: 1, currency: 'EUR' } },
    { ...base, type: 'STOCK_UPDATE', product: null, stock: 3 },
    // A producer may attach the full product to a price change: it still costs no embedding.
    { ...base, type: 'PRICE_CHANGE', price: { amountMinor: 1, currency: 'EUR' } },
    { ...base, type: 'DELETE', product: null, version: UNKNOWN_VERSION },
  ];
  for (const event of events) {
    const request = toEmbedRequest(event, options, 1);
    assert.equal(request.text, null, event.type);
    assert.equal(request.contentHash, null, event.type);
    assert.deepEqual(request.price, event.price);
    assert.equal(request.stock, event.stock);
  }
});

test('a v2 locale is passed on; a v1 event has none', () => {
  assert.equal(toEmbedRequest({ ...base, locale: 'vi-VN' }, options, 1).locale, 'vi-VN');
  assert.equal(toEmbedRequest(base, options, 1).locale, null);
});

test('the hash follows the model: another model or dimension re-embeds the same text', () => {
  const a = toEmbedRequest(base, options, 1).contentHash;
  assert.notEqual(toEmbedRequest(base, { ...options, model: 'text-embedding-3-small' }, 1).contentHash, a);
  assert.notEqual(toEmbedRequest(base, { ...options, dimension: options.dimension + 1 }, 1).contentHash, a);
});

test('route options come from the config, and an unknown template version is a ConfigError naming the variable', () => {
  assert.deepEqual(options, {
    embedTopic: 'freshet.embed-requests',
    model: 'all-minilm-l6-v2-q-mean48+lex', // the default: the local provider's MiniLM (48 tokens) and its words
    dimension: 768,
    templateVersion: 2,
    attributes: ['color', 'material', 'size', 'model', 'gender', 'style'],
  });
  assert.throws(
    () => routeOptions(loadRouterConfig({ FRESHET_TEMPLATE_VERSION: '3' })),
    (error: unknown) => error instanceof ConfigError && /FRESHET_TEMPLATE_VERSION/.test(error.message),
  );
});
