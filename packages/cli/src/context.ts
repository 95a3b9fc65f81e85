import { type CliConfig, loadCliConfig } from '@freshet/config';
import {
  type Admin,
  createKafka,
  createOrderedProducer,
  describeKafkaConnectionError,
  type Kafka,
  type Producer,
} from '@freshet/kafka';
import { createMilvusClient, type MilvusClient } from '@freshet/milvus';
import { AvroCodec } from '@freshet/schemas';
import { createLogger, type Logger } from '@freshet/telemetry';
import { humanLogLines } from './log-lines.js';
import type { Output } from './output.js';

/**
 * What a command may use, opened on first use and closed once at the end: a command that only
 * searches never connects to Kafka, and `--help` connects to nothing.
 */
export interface CliContext {
  readonly config: CliConfig;
  readonly out: Output;
  readonly logger: Logger;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly interactive: boolean;
  kafka(): Kafka;
  admin(): Promise<Admin>;
  producer(): Promise<Producer>;
  codec(): AvroCodec;
  milvus(): MilvusClient;
  /** Runs `cleanup` when the context closes (consumers, clients a command opened itself). */
  onClose(cleanup: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface ContextOptions {
  env: NodeJS.ProcessEnv;
  out: Output;
  interactive: boolean;
  stderr: NodeJS.WritableStream;
}

export function createContext(options: ContextOptions): CliContext {
  let config: CliConfig | undefined;
  let logger: Logger | undefined;
  let kafka: Kafka | undefined;
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  let codec: AvroCodec | undefined;
  let milvus: MilvusClient | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  const ctx: CliContext = {
    get config() {
      config ??= loadCliConfig(options.env);
      return config;
    },
    out: options.out,
    interactive: options.interactive,
    get logger() {
      const c = ctx.config;
      logger ??= createLogger({
        service: 'cli',
        level: c.logLevel,
        secrets: [c.embedding.apiKey, c.kafka.sasl?.password, c.registry.password, c.milvus.token],
        destination: humanLogLines(options.stderr),
      });
      return logger;
    },
    kafka() {
      kafka ??= createKafka(ctx.config.kafka, ctx.logger);
      return kafka;
    },
    admin() {
      admin ??= (async () => {
        const a = ctx.kafka().admin();
        // A wrong password or CA fails here: report it by its FRESHET_* code, not as "retries exceeded".
        await a.connect().catch((error: unknown) => {
          throw describeKafkaConnectionError(error, ctx.config.kafka);
        });
        cleanups.push(() => a.disconnect());
        return a;
      })();
      return admin;
    },
    producer() {
      producer ??= (async () => {
        const p = createOrderedProducer(ctx.kafka());
        await p.connect().catch((error: unknown) => {
          throw describeKafkaConnectionError(error, ctx.config.kafka);
        });
        cleanups.push(() => p.disconnect());
        return p;
      })();
      return producer;
    },
    codec() {
      codec ??= new AvroCodec(ctx.config.registry);
      return codec;
    },
    milvus() {
      if (!milvus) {
        const m = ctx.config.milvus;
        const client = createMilvusClient(m);
        cleanups.push(() => client.closeConnection().then(() => undefined));
        milvus = client;
      }
      return milvus;
    },
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    async close() {
      // Last opened, first closed: consumers before the admin and producer they may rely on.
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    },
  };
  return ctx;
}
