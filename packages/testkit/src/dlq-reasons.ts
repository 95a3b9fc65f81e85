/**
 * The canonical reasons the router gives bad input on the DLQ (the `reason` header is the code).
 * The router's decode and validate steps throw exactly these; the bad-input generator expects them.
 */
export const DLQ_REASON_CODES = [
  'FRESHET_NOT_AVRO',
  'FRESHET_UNKNOWN_SCHEMA',
  'FRESHET_AVRO_DECODE',
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
export type DlqReasonCode = (typeof DLQ_REASON_CODES)[number];

/** One line per code, for the reference docs (DESIGN §3 names the rule each enforces). */
export const DLQ_REASON_DESCRIPTIONS: Readonly<Record<DlqReasonCode, string>> = {
  FRESHET_NOT_AVRO:
    'the value is not Confluent-framed Avro (no magic byte 0, or shorter than the 5-byte header)',
  FRESHET_UNKNOWN_SCHEMA: 'the schema id in the frame is not in the registry',
  FRESHET_AVRO_DECODE: 'the Avro body does not decode with its schema (truncated, trailing or corrupt bytes)',
  FRESHET_MISSING_PRODUCT: 'a CREATE or UPDATE without `product`',
  FRESHET_MISSING_PRICE: 'a PRICE_CHANGE without `price`',
  FRESHET_MISSING_STOCK: 'a STOCK_UPDATE without `stock`',
  FRESHET_PRICE_INVALID: 'a price amount that is negative or not a safe integer',
  FRESHET_CURRENCY_INVALID: 'a currency that is not three capital letters (ISO 4217)',
  FRESHET_STOCK_INVALID: 'a stock that is negative or not an integer',
  FRESHET_ID_EMPTY: 'an empty productId or eventId',
  FRESHET_ID_TOO_LONG: 'a productId or eventId over 256 UTF-8 bytes',
  FRESHET_TEXT_TOO_LONG:
    'title plus description over the text limit (FRESHET_TEXT_MAX_BYTES, 32 KiB by default)',
  FRESHET_KEY_MISMATCH: 'a productId different from the Kafka key',
  FRESHET_VERSION_INVALID: 'a version below 0 or not a safe integer',
};
