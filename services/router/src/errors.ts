/**
 * DLQ reason codes of events that decode but break the contract of DESIGN §3. Together with the
 * non-retryable DecodeError codes of @freshet/schemas (FRESHET_NOT_AVRO, FRESHET_UNKNOWN_SCHEMA,
 * FRESHET_AVRO_DECODE) they are every `freshet-dlq-reason` the router writes; packages/testkit
 * (DLQ_REASON_CODES) lists the same set for the tests and the docs.
 */
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

/** An event that decodes but can never be routed: it goes to the DLQ with `code` as the reason. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  readonly canRetry = false;
  constructor(
    readonly code: InvalidEventCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
