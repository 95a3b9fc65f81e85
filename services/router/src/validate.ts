import { type Price, type ProductEvent, UNKNOWN_VERSION } from '@freshet/schemas';
import { type InvalidEventCode, InvalidEventError } from './errors.js';

/** DESIGN §3: ids are document keys in Milvus (VarChar) and Kafka keys; 256 UTF-8 bytes is the contract. */
export const MAX_ID_BYTES = 256;

export interface ValidationRules {
  /** FRESHET_TEXT_MAX_BYTES: title + description, in UTF-8 bytes. */
  textMaxBytes: number;
}

export interface EventOrigin {
  /** The Kafka key as UTF-8, null when the record has none. */
  key: string | null;
  /** The event was made from a Kafka tombstone: the one place UNKNOWN_VERSION is allowed. */
  tombstone: boolean;
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Checks a decoded ProductEvent against DESIGN §3 and returns it, or the first broken rule as an
 * InvalidEventError whose code is the DLQ reason. Ids are checked before the key so an empty or
 * oversize productId is reported as such, not as a key mismatch. Pure: no I/O, no clock.
 */
export function validateEvent(
  event: ProductEvent,
  origin: EventOrigin,
  rules: ValidationRules,
): ProductEvent | InvalidEventError {
  const problem =
    checkId('eventId', event.eventId) ??
    checkId('productId', event.productId) ??
    checkKey(event.productId, origin.key) ??
    checkVersion(event.version, origin.tombstone) ??
    checkParts(event, rules);
  return problem ?? event;
}

type Problem = InvalidEventError | undefined;

const invalid = (code: InvalidEventCode, message: string) => new InvalidEventError(code, message);

function checkId(field: string, value: string): Problem {
  if (value.length === 0) return invalid('FRESHET_ID_EMPTY', `${field} is empty`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_ID_BYTES) {
    return invalid('FRESHET_ID_TOO_LONG', `${field} is ${bytes} UTF-8 bytes (max ${MAX_ID_BYTES})`);
  }
  return undefined;
}

// A record without a key is not "keyed by productId" either: the default partitioner would scatter
// that product's events over partitions and lose their order (DESIGN §1).
function checkKey(productId: string, key: string | null): Problem {
  if (key === productId) return undefined;
  return invalid(
    'FRESHET_KEY_MISMATCH',
    key === null
      ? `the record has no Kafka key; it must be the productId "${productId}"`
      : `productId "${productId}" differs from the Kafka key "${key}"`,
  );
}

// -1 means "unknown" inside the pipeline (DESIGN §2, tombstones); a producer may not send it.
function checkVersion(version: number, tombstone: boolean): Problem {
  if (tombstone && version === UNKNOWN_VERSION) return undefined;
  if (Number.isSafeInteger(version) && version >= 0) return undefined;
  return invalid('FRESHET_VERSION_INVALID', `version must be an integer ≥ 0, got ${version}`);
}

function checkParts(event: ProductEvent, rules: ValidationRules): Problem {
  switch (event.type) {
    case 'CREATE':
    case 'UPDATE': {
      const product = event.product;
      if (product === null) return invalid('FRESHET_MISSING_PRODUCT', `${event.type} needs product`);
      const textBytes =
        Buffer.byteLength(product.title, 'utf8') + Buffer.byteLength(product.description, 'utf8');
      return (
        (product.price === null ? undefined : checkPrice('product.price', product.price)) ??
        (product.stock === null ? undefined : checkStock('product.stock', product.stock)) ??
        (textBytes > rules.textMaxBytes
          ? invalid(
              'FRESHET_TEXT_TOO_LONG',
              `title + description are ${textBytes} UTF-8 bytes (max ${rules.textMaxBytes}, FRESHET_TEXT_MAX_BYTES)`,
            )
          : undefined)
      );
    }
    case 'PRICE_CHANGE':
      if (event.price === null) return invalid('FRESHET_MISSING_PRICE', 'PRICE_CHANGE needs price');
      return checkPrice('price', event.price);
    case 'STOCK_UPDATE':
      if (event.stock === null) return invalid('FRESHET_MISSING_STOCK', 'STOCK_UPDATE needs stock');
      return checkStock('stock', event.stock);
    case 'DELETE':
      return undefined;
  }
}

function checkPrice(field: string, price: Price): Problem {
  if (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) {
    return invalid(
      'FRESHET_PRICE_INVALID',
      `${field}.amountMinor must be an integer ≥ 0 (minor units), got ${price.amountMinor}`,
    );
  }
  if (!CURRENCY.test(price.currency)) {
    return invalid(
      'FRESHET_CURRENCY_INVALID',
      `${field}.currency must be three capital letters (ISO 4217), got ${JSON.stringify(price.currency)}`,
    );
  }
  return undefined;
}

function checkStock(field: string, stock: number): Problem {
  if (Number.isSafeInteger(stock) && stock >= 0) return undefined;
  return invalid('FRESHET_STOCK_INVALID', `${field} must be an integer ≥ 0, got ${stock}`);
}
