import { randomBytes } from 'node:crypto';
import type { KafkaConfig } from '@freshet/config';
import { createKafka, ensureTopics, groupLag, HEADER } from '@freshet/kafka';
import { AvroCodec, type ProductEvent, type SchemaName } from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { waitFor } from './ports.js';
import { type RunningService, type Stage, startService } from './services.js';
import { STACK } from './stack.js';

export interface PipelineNames {
  input: string;
  embed: string;
  index: string;
  dlq: string;
  collection: string;
  groups: Record<Stage, string>;
}

/** Unique topics, collection and groups for one test, so tests never see each other's data. */
export function uniqueNames(label: string): PipelineNames {
  const id = `${label}-${randomBytes(3).toString('hex')}`;
  return {
    input: `t.${id}.input`,
    embed: `t.${id}.embed`,
    index: `t.${id}.index`,
    dlq: `t.${id}.dlq`,
    collection: `t_${id.replace(/-/g, '_')}`,
    groups: { router: `t.${id}.router`, embedder: `t.${id}.embedder`, writer: `t.${id}.writer` },
  };
}

export function stageEnv(
  names: PipelineNames,
  stage: Stage,
  extra: Record<string, string> = {},
): Record<string, string> {
  const group =
    stage === 'router'
      ? { FRESHET_ROUTER_GROUP_ID: names.groups.router }
      : stage === 'embedder'
        ? { FRESHET_EMBEDDER_GROUP_ID: names.groups.embedder }
        : { FRESHET_WRITER_GROUP_ID: names.groups.writer };
  return {
    FRESHET_KAFKA_BROKERS: STACK.kafka,
    FRESHET_REGISTRY_URL: STACK.registry,
    FRESHET_MILVUS_ADDRESS: STACK.milvus,
    FRESHET_TOPIC_INPUT: names.input,
    FRESHET_TOPIC_EMBED: names.embed,
    FRESHET_TOPIC_INDEX: names.index,
    FRESHET_TOPIC_DLQ: names.dlq,
    FRESHET_TOPIC_PARTITIONS: '3',
    FRESHET_COLLECTION: names.collection,
    FRESHET_SHUTDOWN_GRACE_MS: '10000',
    ...group,
    ...extra,
  };
}

export interface TestKafka {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  codec: AvroCodec;
  close(): Promise<void>;
}

const quiet = createLogger({ service: 'test', level: 'error' });

/**
 * Kafka admin + a Java-partitioned producer + the registry codec, with the test's topics created;
 * `connection` replaces the PLAINTEXT defaults (e.g. the SASL_SSL listener's brokers, ssl and sasl).
 */
export async function connectKafka(
  names: PipelineNames,
  partitions = 3,
  connection: Partial<KafkaConfig> = {},
): Promise<TestKafka> {
  const kafka = createKafka(
    {
      brokers: [STACK.kafka],
      clientId: 'freshet-test',
      ssl: false,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 30000,
      heartbeatIntervalMs: 3000,
      ...connection,
    },
    quiet,
  );
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, {
    input: names.input,
    embed: names.embed,
    index: names.index,
    dlq: names.dlq,
    partitions,
    replicationFactor: 1,
  });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const codec = new AvroCodec({ url: STACK.registry });
  return {
    kafka,
    admin,
    producer,
    codec,
    async close() {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    },
  };
}

export type StreamItem = { kind: 'event'; event: ProductEvent } | { kind: 'tombstone'; productId: string };

/** Produces events (Confluent Avro, `schema` v1 or v2) and tombstones keyed by productId, in order. */
export async function produceItems(
  tk: TestKafka,
  topic: string,
  items: readonly StreamItem[],
  schema: SchemaName = 'ProductEvent.v1',
  chunk = 1000,
): Promise<void> {
  const schemaId = await tk.codec.register(topic, schema);
  for (let i = 0; i < items.length; i += chunk) {
    const messages = await Promise.all(
      items
        .slice(i, i + chunk)
        .map(async (item) =>
          item.kind === 'tombstone'
            ? { key: item.productId, value: null }
            : { key: item.event.productId, value: await tk.codec.encodeWith(schemaId, item.event) },
        ),
    );
    await tk.producer.send({ topic, messages, acks: -1 });
  }
}

/** Waits until every stage's group has committed up to the end of its topic, twice in a row. */
export async function waitDrained(
  tk: TestKafka,
  names: PipelineNames,
  timeoutMs: number,
  services: RunningService[] = [],
): Promise<void> {
  let stableSince = 0;
  await waitFor(
    'pipeline drained',
    async () => {
      for (const s of services) {
        if ((s.process.exitCode ?? null) !== null) throw new Error(`${s.stage} exited:\n${s.logTail()}`);
      }
      const lags = await Promise.all([
        groupLag(tk.admin, names.groups.router, names.input),
        groupLag(tk.admin, names.groups.embedder, names.embed),
        groupLag(tk.admin, names.groups.writer, names.index),
      ]);
      const total = lags.flat().reduce((sum, p) => sum + p.lag, 0);
      if (total > 0) {
        stableSince = 0;
        return false;
      }
      if (stableSince === 0) stableSince = Date.now();
      return Date.now() - stableSince > 1500;
    },
    timeoutMs,
    300,
  );
}

export async function deleteTopics(tk: TestKafka, names: PipelineNames): Promise<void> {
  await tk.admin.deleteTopics({ topics: [names.input, names.embed, names.index, names.dlq] }).catch(() => {});
}

export async function startPipeline(
  names: PipelineNames,
  extra: Partial<Record<Stage, Record<string, string>>> = {},
): Promise<Record<Stage, RunningService>> {
  const [router, embedder, writer] = await Promise.all(
    (['router', 'embedder', 'writer'] as const).map((stage) =>
      startService(stage, stageEnv(names, stage, extra[stage])),
    ),
  );
  return { router: router!, embedder: embedder!, writer: writer! };
}

export interface DlqEntry {
  key: string;
  value: Buffer;
  reason: string;
  stage: string;
  /** The test's own `x-origin` header, to prove the original headers were kept. */
  origin: string;
}

/**
 * Reads the test's DLQ from the beginning until `count` entries arrived (or `timeoutMs` passed), then
 * `settleMs` longer so an unexpected extra entry would be seen too.
 */
export async function readDlq(
  tk: TestKafka,
  names: PipelineNames,
  count: number,
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<DlqEntry[]> {
  const entries: DlqEntry[] = [];
  const consumer = tk.kafka.consumer({ groupId: `${names.dlq}.reader` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: names.dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        entries.push({
          key: message.key?.toString() ?? '',
          value: message.value ?? Buffer.alloc(0),
          reason: header(HEADER.dlqReason),
          stage: header(HEADER.dlqStage),
          origin: header('x-origin'),
        });
      },
    });
    const deadline = Date.now() + (options.timeoutMs ?? 30000);
    while (entries.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
  } finally {
    await consumer.disconnect();
  }
  return entries;
}
