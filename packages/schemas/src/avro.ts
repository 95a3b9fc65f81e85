import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

export const SCHEMA_NAMES = ['ProductEvent.v1', 'ProductEvent.v2', 'EmbedRequest', 'IndexWrite'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const avroDir = fileURLToPath(new URL('../avro/', import.meta.url));
const cache = new Map<SchemaName, string>();

/** The .avsc text of a schema, as shipped in packages/schemas/avro. */
export function schemaText(name: SchemaName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(`${avroDir}${name}.avsc`, 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** An avsc Type for local encode/decode (tests, size estimates); the wire format goes through the registry. */
export function avroType(name: SchemaName): avro.Type {
  return avro.Type.forSchema(JSON.parse(schemaText(name)) as avro.Schema);
}

/** The Product fields an IndexWrite carries: all the embedder reads of a product. */
export const PRODUCT_SCALAR_FIELDS = ['title', 'category', 'brand', 'price', 'stock'] as const;

interface RecordSchema {
  type: 'record';
  name: string;
  fields: Array<{ name: string; type: unknown }>;
}

/**
 * EmbedRequest as the embedder reads it: the Product record keeps only its scalar fields. Decoding with it
 * as the reader schema (Avro schema resolution) skips a product's description, tags, attributes and image
 * URL without building them: the text to embed is in `text`, and the IndexWrite needs only the scalars.
 */
export function embedderReadSchema(): avro.Type {
  const schema = JSON.parse(schemaText('EmbedRequest')) as RecordSchema;
  const product = schema.fields.find((f) => f.name === 'product');
  const record = Array.isArray(product?.type)
    ? (product.type as unknown[]).find((t): t is RecordSchema => (t as RecordSchema)?.type === 'record')
    : undefined;
  if (!record) throw new Error('EmbedRequest.avsc has no Product record in its product field');
  const keep: readonly string[] = PRODUCT_SCALAR_FIELDS;
  record.fields = record.fields.filter((f) => keep.includes(f.name));
  return avro.Type.forSchema(schema as avro.Schema);
}
