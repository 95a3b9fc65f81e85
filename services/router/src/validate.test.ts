import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProductEvent, SCHEMA_ERROR_CODES, UNKNOWN_VERSION } from '@freshet/schemas';
import { DLQ_REASON_CODES } from '@freshet/testkit';
import { INVALID_EVENT_CODES, type InvalidEventCode, InvalidEventError } from './errors.js';
import { type EventOrigin, MAX_ID_BYTES, validateEvent } from './validate.js';

const RULES = { textMaxBytes: 1000 };

function event(overrides: Partial<ProductEvent> = {}): ProductEvent {
  return {
    eventId: '7f0c1f4e-6a55-4c1a-9a53-7f3b2c1d0e9f',
    type: 'UPDATE',
    productId: 'p-1',
    version: 3,
    occurredAt: 1_700_000_000_000,
    product: {
      title: 'Trail runner',
      description: 'Light shoe',
      category: null,
      brand: null,
      tags: [],
      attributes: {},
      price: { amountMinor: 12900, currency: 'EUR' },
      stock: 2,
      imageUrl: null,
    },
    price: null,
    stock: null,
    ...overrides,
  };
}

const keyed = (e: ProductEvent): EventOrigin => ({ key: e.productId, tombstone: false });

function codeOf(e: ProductEvent, origin = keyed(e), rules = RULES): InvalidEventCode | 'valid' {
  const result = validateEvent(e, origin, rules);
  if (result instanceof InvalidEventError) {
    assert.ok(result.message.length > 0);
    assert.equal(result.canRetry, false);
    return result.code;
  }
  assert.equal(result, e, 'a valid event is returned as is');
  return 'valid';
}

test('a valid event of every type is returned unchanged', () => {
  assert.equal(codeOf(event({ type: 'CREATE' })), 'valid');
  assert.equal(codeOf(event()), 'valid');
  assert.equal(
    codeOf(event({ type: 'PRICE_CHANGE', product: null, price: { amountMinor: 0, currency: 'JPY' } })),
    'valid',
  );
  assert.equal(codeOf(event({ type: 'STOCK_UPDATE', product: null, stock: 0 })), 'valid');
  assert.equal(codeOf(event({ type: 'DELETE', product: null, version: 0 })), 'valid');
  assert.equal(codeOf(event({ locale: 'vi-VN' })), 'valid');
});

test('empty ids are FRESHET_ID_EMPTY, also when the empty productId differs from the key', () => {
  assert.equal(codeOf(event({ eventId: '' })), 'FRESHET_ID_EMPTY');
  assert.equal(codeOf(event({ productId: '' }), { key: 'p-1', tombstone: false }), 'FRESHET_ID_EMPTY');
});

test('ids are limited to 256 UTF-8 bytes, not characters', () => {
  const ascii = 'a'.repeat(MAX_ID_BYTES);
  assert.equal(codeOf(event({ productId: ascii })), 'valid');
  assert.equal(codeOf(event({ productId: `${ascii}b` })), 'FRESHET_ID_TOO_LONG');
  const wide = '品'.repeat(86); // 86 characters, 258 bytes
  assert.equal(codeOf(event({ productId: wide })), 'FRESHET_ID_TOO_LONG');
  assert.equal(codeOf(event({ eventId: wide })), 'FRESHET_ID_TOO_LONG');
  assert.equal(codeOf(event({ productId: '品'.repeat(85) })), 'valid');
});

test('productId must equal the Kafka key, and a keyless record is a mismatch', () => {
  assert.equal(codeOf(event(), { key: 'p-2', tombstone: false }), 'FRESHET_KEY_MISMATCH');
  assert.equal(codeOf(event(), { key: null, tombstone: false }), 'FRESHET_KEY_MISMATCH');
  assert.equal(codeOf(event(), { key: 'P-1', tombstone: false }), 'FRESHET_KEY_MISMATCH');
});

test('version must be a safe integer ≥ 0; -1 is reserved for tombstones', () => {
  assert.equal(codeOf(event({ version: 0 })), 'valid');
  assert.equal(codeOf(event({ version: -2 })), 'FRESHET_VERSION_INVALID');
  assert.equal(codeOf(event({ version: UNKNOWN_VERSION })), 'FRESHET_VERSION_INVALID');
  assert.equal(codeOf(event({ version: 2 ** 53 })), 'FRESHET_VERSION_INVALID');
  const tombstone = event({ type: 'DELETE', product: null, version: UNKNOWN_VERSION });
  assert.equal(codeOf(tombstone, { key: 'p-1', tombstone: true }), 'valid');
  assert.equal(
    codeOf({ ...tombstone, version: -2 }, { key: 'p-1', tombstone: true }),
    'FRESHET_VERSION_INVALID',
  );
});

test('a tombstone without a key is FRESHET_ID_EMPTY', () => {
  const tombstone = event({ type: 'DELETE', productId: '', product: null, version: UNKNOWN_VERSION });
  assert.equal(codeOf(tombstone, { key: null, tombstone: true }), 'FRESHET_ID_EMPTY');
});

test('each type needs its part: product, price or stock', () => {
  assert.equal(codeOf(event({ type: 'CREATE', product: null })), 'FRESHET_MISSING_PRODUCT');
  assert.equal(codeOf(event({ type: 'UPDATE', product: null })), 'FRESHET_MISSING_PRODUCT');
  assert.equal(codeOf(event({ type: 'PRICE_CHANGE', product: null })), 'FRESHET_MISSING_PRICE');
  // A product's own price does not stand in for the event's price.
  assert.equal(codeOf(event({ type: 'PRICE_CHANGE' })), 'FRESHET_MISSING_PRICE');
  assert.equal(codeOf(event({ type: 'STOCK_UPDATE', product: null })), 'FRESHET_MISSING_STOCK');
  assert.equal(codeOf(event({ type: 'DELETE', product: null })), 'valid');
});

test('a price must be a safe integer ≥ 0 of minor units, on the event or in the product', () => {
  const priceChange = (amountMinor: number) =>
    event({ type: 'PRICE_CHANGE', product: null, price: { amountMinor, currency: 'USD' } });
  assert.equal(codeOf(priceChange(-1)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(priceChange(1.5)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(priceChange(Number.NaN)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(priceChange(Number.POSITIVE_INFINITY)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(priceChange(2 ** 53)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(priceChange(Number.MAX_SAFE_INTEGER)), 'valid');
  const base = event();
  const withPrice = (amountMinor: number) =>
    event({ product: { ...base.product!, price: { amountMinor, currency: 'USD' } } });
  assert.equal(codeOf(withPrice(-500)), 'FRESHET_PRICE_INVALID');
  assert.equal(codeOf(event({ product: { ...base.product!, price: null } })), 'valid');
});

test('a currency must be three capital letters', () => {
  for (const currency of ['usd', 'US', 'USDX', 'usd1', 'U$D', '', ' USD']) {
    assert.equal(
      codeOf(event({ type: 'PRICE_CHANGE', product: null, price: { amountMinor: 1, currency } })),
      'FRESHET_CURRENCY_INVALID',
      currency,
    );
  }
  const base = event();
  assert.equal(
    codeOf(event({ product: { ...base.product!, price: { amountMinor: 1, currency: 'eur' } } })),
    'FRESHET_CURRENCY_INVALID',
  );
});

test('stock must be ≥ 0, on the event or in the product', () => {
  assert.equal(codeOf(event({ type: 'STOCK_UPDATE', product: null, stock: -5 })), 'FRESHET_STOCK_INVALID');
  const base = event();
  assert.equal(codeOf(event({ product: { ...base.product!, stock: -1 } })), 'FRESHET_STOCK_INVALID');
  assert.equal(codeOf(event({ product: { ...base.product!, stock: null } })), 'valid');
});

test('title + description are limited in UTF-8 bytes', () => {
  const base = event();
  const sized = (title: string, description: string) =>
    event({ product: { ...base.product!, title, description } });
  assert.equal(codeOf(sized('a'.repeat(500), 'b'.repeat(500))), 'valid');
  assert.equal(codeOf(sized('a'.repeat(500), 'b'.repeat(501))), 'FRESHET_TEXT_TOO_LONG');
  assert.equal(codeOf(sized('ồ'.repeat(334), '')), 'FRESHET_TEXT_TOO_LONG'); // 334 characters, 1002 bytes
  assert.equal(
    codeOf(sized('a'.repeat(600), ''), keyed(base), { textMaxBytes: 599 }),
    'FRESHET_TEXT_TOO_LONG',
  );
});

test('the router gives exactly the canonical DLQ reasons of packages/testkit', () => {
  const router = [
    ...SCHEMA_ERROR_CODES.filter((c) => c !== 'FRESHET_REGISTRY_UNAVAILABLE'),
    ...INVALID_EVENT_CODES,
  ];
  assert.deepEqual([...router].sort(), [...DLQ_REASON_CODES].sort());
});
