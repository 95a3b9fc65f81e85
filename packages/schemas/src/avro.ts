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
