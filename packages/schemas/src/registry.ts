import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { type SchemaName, schemaText } from './avro.js';
import { DecodeError } from './errors.js';

export interface RegistryOptions {
  /** Confluent-compatible base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
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

  constructor(options: RegistryOptions) {
    const auth =
      options.username !== undefined && options.password !== undefined
        ? { username: options.username, password: options.password }
        : undefined;
    this.registry = new SchemaRegistry({ host: options.url, ...(auth ? { auth } : {}) });
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
    return this.registry.encode(this.schemaId(topic), value);
  }

  async encodeWith(schemaId: number, value: object): Promise<Buffer> {
    return this.registry.encode(schemaId, value);
  }

  /**
   * Decodes a Confluent-framed Avro value. Bad bytes → DecodeError with canRetry=false (DLQ);
   * a registry that does not answer → canRetry=true (the caller retries, never DLQs).
   */
  async decode<T>(buffer: Buffer): Promise<Decoded<T>> {
    if (buffer.length < 6 || buffer[0] !== 0) {
      throw new DecodeError(
        'FRESHET_NOT_AVRO',
        'value is not Confluent-framed Avro (magic byte 0 missing)',
        false,
      );
    }
    const schemaId = buffer.readInt32BE(1);
    let schema: Awaited<ReturnType<SchemaRegistry['getSchema']>>;
    try {
      schema = await this.registry.getSchema(schemaId);
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
    try {
      const value = (schema as { fromBuffer(b: Buffer): unknown }).fromBuffer(buffer.subarray(5)) as T;
      return { schemaId, value };
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
}

function isNotFound(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  const message = error instanceof Error ? error.message : String(error);
  return status === 404 || /not found|40403/i.test(message);
}
