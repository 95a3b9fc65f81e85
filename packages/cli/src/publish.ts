import type { Message, Producer } from '@freshet/kafka';
import type { AvroCodec, SchemaName } from '@freshet/schemas';
import { readCatalog } from './catalog.js';
import { CliError } from './errors.js';
import { type CreateDefaults, createEvent } from './events.js';
import type { Pacer } from './pacer.js';
import type { Progress } from './progress.js';

export interface LineError {
  line: number;
  error: string;
}

export interface PublishOptions {
  file: string;
  topic: string;
  /** Needed unless dryRun. */
  producer?: Producer;
  codec: AvroCodec;
  schema: SchemaName;
  /** `skip`: report bad lines and go on; `fail`: stop at the first one (after sending the lines before it). */
  onError: 'skip' | 'fail';
  batchSize: number;
  defaults: CreateDefaults;
  /** First line to read (resume after a checkpoint). */
  fromLine?: number;
  pacer?: Pacer;
  /** Validate and encode every line, send nothing. */
  dryRun?: boolean;
  progress?: Progress;
  /** Called after each batch the brokers acknowledged (acks=all), with the last line it covered. */
  onAcked?: (progress: PublishProgress) => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishProgress {
  /** Every line up to and including this one is acknowledged or was reported bad. */
  lastLine: number;
  produced: number;
  skipped: number;
}

export interface PublishResult extends PublishProgress {
  errors: LineError[];
}

/**
 * Streams a catalog file to the input topic as Avro CREATE events keyed by productId (the ordered,
 * Java-partitioned producer), one acknowledged batch at a time.
 */
export async function publishCatalog(o: PublishOptions): Promise<PublishResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const schemaId = o.dryRun ? undefined : await o.codec.register(o.topic, o.schema);
  // Loaded here, not at the top: the registry client pulls in protobufjs, which `--help` should not pay for.
  const { avroType } = await import('@freshet/schemas');
  const local = avroType(o.schema);
  const errors: LineError[] = [];
  let produced = 0;
  let lastLine = (o.fromLine ?? 1) - 1;
  let batch: Message[] = [];
  let batchLastLine = lastLine;

  const flush = async () => {
    if (batch.length > 0 && !o.dryRun) {
      if (!o.producer) throw new Error('publishCatalog: a producer is required unless dryRun');
      if (o.pacer) {
        const wait = o.pacer.delayFor(batch.length, performance.now());
        if (wait > 0) await sleep(wait);
      }
      await o.producer.send({ topic: o.topic, messages: batch, acks: -1 });
    }
    produced += batch.length;
    batch = [];
    lastLine = batchLastLine;
    await o.onAcked?.({ lastLine, produced, skipped: errors.length });
    o.progress?.update(lastLine, { skipped: errors.length });
  };

  for await (const parsed of readCatalog(o.file, o.fromLine ?? 1)) {
    let error: string | undefined;
    if (parsed.ok) {
      const event = createEvent(parsed.entry, o.defaults);
      try {
        // A dry run checks the line against the local .avsc; a real run encodes through the registry.
        const value =
          schemaId === undefined ? local.toBuffer(event) : await o.codec.encodeWith(schemaId, event);
        batch.push({ key: event.productId, value });
      } catch (cause) {
        error = `cannot encode as ${o.schema}: ${(cause as Error).message}`;
      }
    } else {
      error = parsed.error;
    }
    if (error !== undefined) {
      if (o.onError === 'fail') {
        await flush();
        throw new CliError(
          'FRESHET_CATALOG_INVALID',
          `${o.file}:${parsed.line}: ${error} (${produced} events before it were ${o.dryRun ? 'checked' : 'sent'}; fix the line or pass --on-error skip)`,
        );
      }
      errors.push({ line: parsed.line, error });
    }
    batchLastLine = parsed.line;
    if (batch.length >= o.batchSize) await flush();
  }
  await flush();
  return { lastLine, produced, skipped: errors.length, errors };
}
