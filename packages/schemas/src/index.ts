export { avroType, SCHEMA_NAMES, type SchemaName, schemaText } from './avro.js';
export { DecodeError, SCHEMA_ERROR_CODES, type SchemaErrorCode } from './errors.js';
export { AvroCodec, type Decoded, type RegistryOptions } from './registry.js';
export { contentHash, embeddingText, TEMPLATE_VERSIONS, type TextOptions } from './embedding-text.js';
export * from './types.js';
