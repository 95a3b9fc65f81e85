export {
  avroType,
  embedderReadSchema,
  PRODUCT_SCALAR_FIELDS,
  SCHEMA_NAMES,
  type SchemaName,
  schemaText,
} from './avro.js';
export {
  contentHash,
  embeddingText,
  type HashModel,
  TEMPLATE_VERSIONS,
  type TextOptions,
  UnknownTemplateVersionError,
} from './embedding-text.js';
export { DecodeError, SCHEMA_ERROR_CODES, type SchemaErrorCode } from './errors.js';
export { indexWriteBase, passThroughWrite, productScalars } from './index-write.js';
export { AvroCodec, type Decoded, type RegistryOptions } from './registry.js';
export * from './types.js';
