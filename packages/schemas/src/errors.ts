export const SCHEMA_ERROR_CODES = [
  'FRESHET_NOT_AVRO',
  'FRESHET_UNKNOWN_SCHEMA',
  'FRESHET_AVRO_DECODE',
  'FRESHET_REGISTRY_UNAVAILABLE',
] as const;
export type SchemaErrorCode = (typeof SCHEMA_ERROR_CODES)[number];

/** A record that cannot be decoded (bad bytes: DLQ) or a registry that cannot be reached (retry). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: SchemaErrorCode,
    message: string,
    readonly canRetry: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
