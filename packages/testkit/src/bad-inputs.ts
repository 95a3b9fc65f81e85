import type { Product, ProductEvent } from '@freshet/schemas';
import type { DlqReasonCode } from './dlq-reasons.js';
import { Rng } from './rng.js';

/** Encodes a valid ProductEvent the way producers do (Confluent frame + registered schema id). */
export type EncodeEvent = (event: ProductEvent) => Promise<Buffer>;

export const BAD_INPUT_CASES = [
  'garbage-bytes',
  'json-instead-of-avro',
  'short-frame',
  'unknown-schema-id',
  'truncated-avro',
  'trailing-bytes',
  'create-without-product',
  'update-without-product',
  'price-change-without-price',
  'stock-update-without-stock',
  'negative-price',
  'negative-product-price',
  'bad-currency',
  'negative-stock',
  'empty-product-id',
  'empty-event-id',
  'oversize-product-id',
  'oversize-text',
  'key-mismatch',
  'negative-version',
  'producer-version-minus-one',
] as const;
export type BadInputCase = (typeof BAD_INPUT_CASES)[number];

export interface BadInput {
  case: BadInputCase;
  /** The DLQ reason the router must give it. */
  reason: DlqReasonCode;
  /**
   * The Kafka key: always a product id, so the record sits in that product's partition and the next
   * good event of the key is routed after it (the partition must keep moving, DESIGN §4.6).
   */
  key: string;
  /** The event the bytes were made from, when there is one (not for garbage). */
  event: ProductEvent | null;
  /** The value bytes, given the caller's encoder of valid events. */
  value(encode: EncodeEvent): Promise<Buffer>;
}

export interface BadInputOptions {
  seed?: number;
  /** occurredAt of the events (default Date.now()). */
  now?: number;
}

/**
 * Version of the bad events: above any real version, so a bad record the router wrongly let through
 * would win over everything and show up in the oracle's diff instead of hiding.
 */
export const BAD_EVENT_VERSION = 2 ** 52;

/** Schema id no registry hands out in tests: magic 0 + this id is an unknown schema. */
export const UNKNOWN_SCHEMA_ID = 999_999;

/** 100 KiB of description: over the router's text limit (32 KiB by default). */
const OVERSIZE_TEXT_BYTES = 100 * 1024;

const REASONS: Readonly<Record<BadInputCase, DlqReasonCode>> = {
  'garbage-bytes': 'FRESHET_NOT_AVRO',
  'json-instead-of-avro': 'FRESHET_NOT_AVRO',
  'short-frame': 'FRESHET_NOT_AVRO',
  'unknown-schema-id': 'FRESHET_UNKNOWN_SCHEMA',
  'truncated-avro': 'FRESHET_AVRO_DECODE',
  'trailing-bytes': 'FRESHET_AVRO_DECODE',
  'create-without-product': 'FRESHET_MISSING_PRODUCT',
  'update-without-product': 'FRESHET_MISSING_PRODUCT',
  'price-change-without-price': 'FRESHET_MISSING_PRICE',
  'stock-update-without-stock': 'FRESHET_MISSING_STOCK',
  'negative-price': 'FRESHET_PRICE_INVALID',
  'negative-product-price': 'FRESHET_PRICE_INVALID',
  'bad-currency': 'FRESHET_CURRENCY_INVALID',
  'negative-stock': 'FRESHET_STOCK_INVALID',
  'empty-product-id': 'FRESHET_ID_EMPTY',
  'empty-event-id': 'FRESHET_ID_EMPTY',
  'oversize-product-id': 'FRESHET_ID_TOO_LONG',
  'oversize-text': 'FRESHET_TEXT_TOO_LONG',
  'key-mismatch': 'FRESHET_KEY_MISMATCH',
  'negative-version': 'FRESHET_VERSION_INVALID',
  // -1 is UNKNOWN_VERSION inside the pipeline (a Kafka tombstone); a producer may not send it.
  'producer-version-minus-one': 'FRESHET_VERSION_INVALID',
};

function probeProduct(key: string): Product {
  return {
    title: `Probe product ${key}`,
    description: 'A product that exists only to carry a broken event through the router.',
    category: 'Electronics > Audio > Headphones',
    brand: 'Nimbus Audio',
    tags: ['probe'],
    attributes: { color: 'Black' },
    price: { amountMinor: 4999, currency: 'USD' },
    stock: 3,
    imageUrl: null,
  };
}

/** One bad record of `badCase`, keyed by `key` (a product id). */
export function badInput(badCase: BadInputCase, key: string, options: BadInputOptions = {}): BadInput {
  const rng = Rng.for('freshet-bad-input', options.seed ?? 0, badCase, key);
  const base: ProductEvent = {
    eventId: rng.uuid(),
    type: 'UPDATE',
    productId: key,
    version: BAD_EVENT_VERSION,
    occurredAt: options.now ?? Date.now(),
    product: probeProduct(key),
    price: null,
    stock: null,
  };
  const product = base.product as Product;
  const encoded = (event: ProductEvent) => async (encode: EncodeEvent) => encode(event);
  let event: ProductEvent | null = base;
  let value: (encode: EncodeEvent) => Promise<Buffer>;

  switch (badCase) {
    case 'garbage-bytes': {
      const bytes = Buffer.alloc(64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
      bytes[0] = 0x80 | (bytes[0] as number); // never the magic byte 0
      event = null;
      value = async () => bytes;
      break;
    }
    case 'json-instead-of-avro':
      value = async () => Buffer.from(JSON.stringify(base));
      break;
    case 'short-frame':
      event = null;
      value = async () => Buffer.from([0, 0, 0, 0, 1]);
      break;
    case 'unknown-schema-id':
      value = async (encode) => {
        const bytes = Buffer.from(await encode(base));
        bytes.writeInt32BE(UNKNOWN_SCHEMA_ID, 1);
        return bytes;
      };
      break;
    case 'truncated-avro':
      value = async (encode) => {
        const bytes = await encode(base);
        return Buffer.from(bytes.subarray(0, 5 + Math.floor((bytes.length - 5) / 2)));
      };
      break;
    case 'trailing-bytes':
      value = async (encode) => Buffer.concat([await encode(base), Buffer.from([0x02, 0x41, 0x42])]);
      break;
    case 'create-without-product':
      event = { ...base, type: 'CREATE', product: null };
      value = encoded(event);
      break;
    case 'update-without-product':
      event = { ...base, product: null };
      value = encoded(event);
      break;
    case 'price-change-without-price':
      event = { ...base, type: 'PRICE_CHANGE', product: null, price: null };
      value = encoded(event);
      break;
    case 'stock-update-without-stock':
      event = { ...base, type: 'STOCK_UPDATE', product: null, stock: null };
      value = encoded(event);
      break;
    case 'negative-price':
      event = {
        ...base,
        type: 'PRICE_CHANGE',
        product: null,
        price: { amountMinor: -1999, currency: 'USD' },
      };
      value = encoded(event);
      break;
    case 'negative-product-price':
      event = { ...base, product: { ...product, price: { amountMinor: -500, currency: 'EUR' } } };
      value = encoded(event);
      break;
    case 'bad-currency':
      event = {
        ...base,
        type: 'PRICE_CHANGE',
        product: null,
        price: { amountMinor: 1999, currency: 'usd1' },
      };
      value = encoded(event);
      break;
    case 'negative-stock':
      event = { ...base, type: 'STOCK_UPDATE', product: null, stock: -5 };
      value = encoded(event);
      break;
    case 'empty-product-id':
      event = { ...base, productId: '' };
      value = encoded(event);
      break;
    case 'empty-event-id':
      event = { ...base, eventId: '' };
      value = encoded(event);
      break;
    case 'oversize-product-id':
      // 90 characters but 270 UTF-8 bytes: the limit is in bytes (DESIGN §3), not characters.
      event = { ...base, productId: `${key}-${'品'.repeat(90)}` };
      value = encoded(event);
      break;
    case 'oversize-text':
      event = {
        ...base,
        product: { ...product, description: 'lorem ipsum '.repeat(OVERSIZE_TEXT_BYTES / 12 + 1) },
      };
      value = encoded(event);
      break;
    case 'key-mismatch':
      event = { ...base, productId: `${key}-not-the-key` };
      value = encoded(event);
      break;
    case 'negative-version':
      event = { ...base, version: -2 };
      value = encoded(event);
      break;
    case 'producer-version-minus-one':
      event = { ...base, version: -1 };
      value = encoded(event);
      break;
  }
  return { case: badCase, reason: REASONS[badCase], key, event, value };
}

/**
 * Every bad-input case once, keyed by `keys` in turn (default `bad-000`, `bad-001`, …). Covers each
 * DLQ reason code at least once.
 */
export function badInputs(options: BadInputOptions & { keys?: readonly string[] } = {}): BadInput[] {
  const keys = options.keys && options.keys.length > 0 ? options.keys : null;
  return BAD_INPUT_CASES.map((c, i) =>
    badInput(c, keys ? (keys[i % keys.length] as string) : `bad-${String(i).padStart(3, '0')}`, options),
  );
}
