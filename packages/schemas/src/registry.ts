import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { type SchemaName, schemaText } from './avro.js';
import { DecodeError } from './errors.js';

export interface RegistryOptions {
  /** Confluent-compatible base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Per HTTP request (default 10 s): a registry that accepts a request and never answers must not hang a caller. */
  timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** mappersmith (the registry client's HTTP layer) sets no timeout of its own. */
function requestTimeout(ms: number): RegistryMiddleware {
  return () => ({
    async prepareRequest(next) {
      return (await next()).enhance({ timeout: ms });
    },
  });
}

/** What the codec uses of an avsc Type (the registry client hands out avsc Types for AVRO schemas). */
interface AvroType {
  fromBuffer(buffer: Buffer): unknown;
  /** Writes `value` at `pos`; the new position, or −(bytes missing) when `buffer` is too short. */
  encode(value: unknown, buffer: Buffer, pos: number): number;
}

export interface Decoded<T> {
  schemaId: number;
  value: T;
}

/**
 * Confluent wire format (magic 0, 4-byte schema id, Avro binary) through any Confluent-compatible
 * registry. Subjects follow TopicNameStrategy: `<topic>-value`.
 */
export class AvroCodec {
  readonly registry: SchemaRegistry;
  private readonly idBySubject = new Map<string, number>();
  /** Avro types by schema id (an id's schema never changes). */
  private readonly types = new Map<number, AvroType>();
  /** decodeAs(): per reader schema, its resolver of each writer schema id. */
  private readonly resolvers = new Map<avro.Type, Map<number, avro.Resolver>>();
  /** Where a record is encoded before it gets a buffer of its own size (grown on demand, never shrunk). */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(options: RegistryOptions) {
    const auth =
      options.username !== undefined && options.password !== undefined
        ? { username: options.username, password: options.password }
        : undefined;
    this.registry = new SchemaRegistry({
      host: options.url,
      ...(auth ? { auth } : {}),
      middlewares: [requestTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)],
    });
  }

  /** Registers `schema` under `<topic>-value` (idempotent) and remembers its id for encode(). */
  async register(topic: string, schema: SchemaName): Promise<number> {
    const subject = `${topic}-value`;
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: schemaText(schema) },
        { subject },
      );
      this.idBySubject.set(subject, id);
      return id;
    } catch (cause) {
      throw new DecodeError(
        'FRESHET_REGISTRY_UNAVAILABLE',
        `registering ${schema} under ${subject} failed: ${String(cause)}`,
        true,
        { cause },
      );
    }
  }

  /** Schema id last registered for the topic; register() must have been called. */
  schemaId(topic: string): number {
    const id = this.idBySubject.get(`${topic}-value`);
    if (id === undefined) throw new Error(`no schema registered for topic ${topic}; call register() first`);
    return id;
  }

  async encode(topic: string, value: object): Promise<Buffer> {
    return this.encodeWith(this.schemaId(topic), value);
  }

  /**
   * Confluent framing around the Avro body, in one buffer. The schema of an id never changes, so it is
   * kept here after the first look-up: the registry client's own cache costs two awaits per record, and
   * its framing two more buffers (every record of the router and the embedder goes through here).
   */
  async encodeWith(schemaId: number, value: object): Promise<Buffer> {
    const type = this.types.get(schemaId);
    if (type === undefined) {
      const encoded = await this.registry.encode(schemaId, value);
      this.types.set(schemaId, asAvroType(await this.registry.getSchema(schemaId)));
      return encoded;
    }
    // Into the scratch buffer, then one copy of the right size: avsc's toBuffer would zero-fill a buffer of
    // its own and copy into it, and the framing copy again.
    let end: number;
    try {
      end = type.encode(value, this.scratch, 5);
      if (end < 0) {
        this.scratch = Buffer.allocUnsafe(2 * (this.scratch.length - end));
        end = type.encode(value, this.scratch, 5);
      }
    } catch {
      // The client's error names the invalid paths.
      return this.registry.encode(schemaId, value);
    }
    const framed = Buffer.allocUnsafe(end);
    this.scratch.copy(framed, 0, 0, end);
    framed[0] = 0;
    framed.writeInt32BE(schemaId, 1);
    return framed;
  }

  /**
   * Decodes a Confluent-framed Avro value. Bad bytes → DecodeError with canRetry=false (DLQ);
   * a registry that does not answer → canRetry=true (the caller retries, never DLQs).
   */
  async decode<T>(buffer: Buffer): Promise<Decoded<T>> {
    const schemaId = framedSchemaId(buffer);
    let schema = this.types.get(schemaId);
    if (schema === undefined) schema = await this.lookUp(schemaId);
    const type = schema;
    return { schemaId, value: avroDecode(schemaId, () => type.fromBuffer(buffer.subarray(5)) as T) };
  }

  /**
   * Decodes with `reader` as the reader schema (Avro schema resolution against the record's own schema):
   * fields the reader leaves out are skipped, never built. A writer schema the reader cannot resolve is a
   * DecodeError with canRetry=false, like bad bytes.
   */
  async decodeAs<T>(buffer: Buffer, reader: avro.Type): Promise<Decoded<T>> {
    const schemaId = framedSchemaId(buffer);
    let byId = this.resolvers.get(reader);
    if (byId === undefined) {
      byId = new Map();
      this.resolvers.set(reader, byId);
    }
    let resolver = byId.get(schemaId);
    if (resolver === undefined) {
      const writer = this.types.get(schemaId) ?? (await this.lookUp(schemaId));
      resolver = avroDecode(schemaId, () => reader.createResolver(writer as unknown as avro.Type));
      byId.set(schemaId, resolver);
    }
    const resolved = resolver;
    return {
      schemaId,
      value: avroDecode(schemaId, () => reader.fromBuffer(buffer.subarray(5), resolved) as T),
    };
  }

  /** The registry's schema of an id, kept for the next record; a missing id or an outage is a DecodeError. */
  private async lookUp(schemaId: number): Promise<AvroType> {
    let schema: AvroType;
    try {
      schema = asAvroType(await this.registry.getSchema(schemaId));
    } catch (cause) {
      if (isNotFound(cause)) {
        throw new DecodeError(
          'FRESHET_UNKNOWN_SCHEMA',
          `schema id ${schemaId} is not in the registry`,
          false,
          {
            cause,
          },
        );
      }
      throw new DecodeError(
        'FRESHET_REGISTRY_UNAVAILABLE',
        `registry lookup of schema ${schemaId} failed`,
        true,
        {
          cause,
        },
      );
    }
    this.types.set(schemaId, schema);
    return schema;
  }
}

/** The schema id of a Confluent-framed value; a DecodeError (DLQ) when the framing is missing. */
function framedSchemaId(buffer: Buffer): number {
  if (buffer.length < 6 || buffer[0] !== 0) {
    throw new DecodeError(
      'FRESHET_NOT_AVRO',
      'value is not Confluent-framed Avro (magic byte 0 missing)',
      false,
    );
  }
  return buffer.readInt32BE(1);
}

/** Runs an avsc read; what it throws becomes a DecodeError (DLQ) naming the schema id. */
function avroDecode<T>(schemaId: number, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw new DecodeError(
      'FRESHET_AVRO_DECODE',
      `Avro decode with schema ${schemaId} failed: ${String(cause)}`,
      false,
      {
        cause,
      },
    );
  }
}

// For an AVRO schema the client hands out an avsc Type, which has encode() too though its typings leave it
// out; encodeWith falls back to the client should it ever not.
function asAvroType(schema: unknown): AvroType {
  return schema as AvroType;
}

function isNotFound(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  const message = error instanceof Error ? error.message : String(error);
  return status === 404 || /not found|40403/i.test(message);
}
