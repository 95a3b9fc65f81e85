import type { ProductEvent } from '@freshet/schemas';

export const INVALID_EVENT_CODES = [
  'FRESHET_MISSING_PRODUCT',
  'FRESHET_MISSING_PRICE',
  'FRESHET_MISSING_STOCK',
  'FRESHET_PRICE_INVALID',
  'FRESHET_CURRENCY_INVALID',
  'FRESHET_STOCK_INVALID',
  'FRESHET_ID_EMPTY',
  'FRESHET_ID_TOO_LONG',
  'FRESHET_TEXT_TOO_LONG',
  'FRESHET_KEY_MISMATCH',
  'FRESHET_VERSION_INVALID',
] as const;
export type InvalidEventCode = (typeof INVALID_EVENT_CODES)[number];

/** An event that decodes but breaks the contract of DESIGN §3: it goes to the DLQ with this code. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  readonly canRetry = false;
  constructor(
    readonly code: InvalidEventCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_ID_BYTES = 256;

function checkId(name: string, value: string): void {
  if (value.length === 0) throw new InvalidEventError('FRESHET_ID_EMPTY', `${name} is empty`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_ID_BYTES)
    throw new InvalidEventError('FRESHET_ID_TOO_LONG', `${name} is ${bytes} bytes (max ${MAX_ID_BYTES})`);
}

function checkPrice(where: string, price: { amountMinor: number; currency: string }): void {
  if (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0) {
    throw new InvalidEventError(
      'FRESHET_PRICE_INVALID',
      `${where}.amountMinor must be a finite integer ≥ 0, got ${price.amountMinor}`,
    );
  }
  if (!/^[A-Z]{3}$/.test(price.currency)) {
    throw new InvalidEventError(
      'FRESHET_CURRENCY_INVALID',
      `${where}.currency must be 3 capital letters (ISO 4217), got "${price.currency}"`,
    );
  }
}

function checkStock(where: string, stock: number): void {
  if (!Number.isInteger(stock) || stock < 0)
    throw new InvalidEventError('FRESHET_STOCK_INVALID', `${where} must be ≥ 0, got ${stock}`);
}

/** Checks a decoded ProductEvent against DESIGN §3; throws InvalidEventError with a stable code. */
export function validateEvent(
  event: ProductEvent,
  kafkaKey: string | null,
  limits: { textMaxBytes: number },
): ProductEvent {
  checkId('eventId', event.eventId);
  checkId('productId', event.productId);
  if (kafkaKey !== null && kafkaKey !== event.productId) {
    throw new InvalidEventError(
      'FRESHET_KEY_MISMATCH',
      `productId "${event.productId}" differs from the Kafka key "${kafkaKey}"`,
    );
  }
  if (!Number.isSafeInteger(event.version) || event.version < 0) {
    throw new InvalidEventError(
      'FRESHET_VERSION_INVALID',
      `version must be an integer ≥ 0, got ${event.version}`,
    );
  }
  switch (event.type) {
    case 'CREATE':
    case 'UPDATE': {
      const p = event.product;
      if (!p) throw new InvalidEventError('FRESHET_MISSING_PRODUCT', `${event.type} needs product`);
      if (p.price) checkPrice('product.price', p.price);
      if (p.stock !== null) checkStock('product.stock', p.stock);
      const textBytes = Buffer.byteLength(p.title, 'utf8') + Buffer.byteLength(p.description, 'utf8');
      if (textBytes > limits.textMaxBytes) {
        throw new InvalidEventError(
          'FRESHET_TEXT_TOO_LONG',
          `title + description are ${textBytes} bytes (max ${limits.textMaxBytes})`,
        );
      }
      break;
    }
    case 'PRICE_CHANGE':
      if (!event.price) throw new InvalidEventError('FRESHET_MISSING_PRICE', 'PRICE_CHANGE needs price');
      checkPrice('price', event.price);
      break;
    case 'STOCK_UPDATE':
      if (event.stock === null)
        throw new InvalidEventError('FRESHET_MISSING_STOCK', 'STOCK_UPDATE needs stock');
      checkStock('stock', event.stock);
      break;
    case 'DELETE':
      break;
  }
  return event;
}
