import { randomBytes } from 'node:crypto';
import { createKafka, ensureTopics, groupLag } from '@freshet/kafka';
import { AvroCodec, type ProductEvent } from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Stage } from './processes.js';

export interface Stack {
  kafka: string;
  registry: string;
  milvus: string;
}

export const STACK: Stack = {
  kafka: process.env.FRESHET_KAFKA_BROKERS ?? '127.0.0.1:9092',
  registry: process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  milvus: process.env.FRESHET_MILVUS_ADDRESS ?? '127.0.0.1:19530',
};

/** One set of topics and groups; every run of the bench has its own, so nothing is shared. */
export interface TopicSet {
  input: string;
  embed: string;
  index: string;
  dlq: string;
  groups: Record<Stage, string>;
}

export function runId(): string {
  return randomBytes(3).toString('hex');
}

export function topicSet(run: string, label: string): TopicSet {
  const base = `bench.${run}.${label}`;
  return {
    input: `${base}.input`,
    embed: `${base}.embed`,
    index: `${base}.index`,
    dlq: `${base}.dlq`,
    groups: { router: `${base}.router`, embedder: `${base}.embedder`, writer: `${base}.writer` },
  };
}

export interface BenchKafka {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  codec: AvroCodec;
  close(): Promise<void>;
}

const quiet = createLogger({ service: 'bench', level: 'error' });

export async function connectKafka(stack: Stack): Promise<BenchKafka> {
  const kafka = createKafka(
    {
      brokers: [stack.kafka],
      clientId: 'freshet-bench',
      ssl: false,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 30000,
      heartbeatIntervalMs: 3000,
    },
    quiet,
  );
  const admin = kafka.admin();
  await admin.connect();
  // The Java-compatible murmur2 partitioner, as every producer of the input topic must use (DESIGN §1).
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return {
    kafka,
    admin,
    producer,
    codec: new AvroCodec({ url: stack.registry }),
    async close() {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    },
  };
}

export async function createTopics(bk: BenchKafka, set: TopicSet, partitions: number): Promise<void> {
  // A busy broker may not have the new topics' metadata when kafkajs first asks (UNKNOWN_TOPIC_OR_PARTITION):
  // ensureTopics is idempotent, so ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(bk.admin, { ...set, partitions, replicationFactor: 1 });
      const metadata = await bk.admin.fetchTopicMetadata({
        topics: [set.input, set.embed, set.index, set.dlq],
      });
      if (
        metadata.topics.every(
          (t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0),
        )
      )
        return;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function deleteTopics(bk: BenchKafka, sets: readonly TopicSet[]): Promise<void> {
  // Only the topics that exist: kafkajs retries a delete of a missing topic for half a minute.
  const existing = new Set(await bk.admin.listTopics().catch(() => [] as string[]));
  const topics = sets.flatMap((s) => [s.input, s.embed, s.index, s.dlq]).filter((t) => existing.has(t));
  if (topics.length > 0) await bk.admin.deleteTopics({ topics }).catch(() => {});
  const groups = sets.flatMap((s) => Object.values(s.groups));
  await bk.admin.deleteGroups(groups).catch(() => {});
}

/** Produces ProductEvents keyed by productId, `chunk` per request with acks=all; returns events/s. */
export async function produceEvents(
  bk: BenchKafka,
  topic: string,
  events: readonly ProductEvent[],
  chunk = 1000,
): Promise<number> {
  const schemaId = await bk.codec.register(topic, 'ProductEvent.v1');
  const started = performance.now();
  for (let i = 0; i < events.length; i += chunk) {
    const messages = await Promise.all(
      events.slice(i, i + chunk).map(async (event) => ({
        key: event.productId,
        value: await bk.codec.encodeWith(schemaId, event),
      })),
    );
    await bk.producer.send({ topic, messages, acks: -1 });
  }
  return events.length / ((performance.now() - started) / 1000);
}

export async function totalLag(bk: BenchKafka, group: string, topic: string): Promise<number> {
  const lags = await groupLag(bk.admin, group, topic);
  return lags.reduce((sum, p) => sum + p.lag, 0);
}

/** Messages in a topic (sum of high watermarks minus low ones). */
export async function topicSize(bk: BenchKafka, topic: string): Promise<number> {
  const offsets = await bk.admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
}

/** Polls until every (group, topic) has lag 0; returns the epoch ms of the first poll that saw it. */
export async function waitLagZero(
  bk: BenchKafka,
  pairs: ReadonlyArray<{ group: string; topic: string }>,
  timeoutMs: number,
  onPoll: (lags: number[]) => void = () => {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lags = await Promise.all(pairs.map((p) => totalLag(bk, p.group, p.topic)));
    onPoll(lags);
    if (lags.every((l) => l === 0)) return Date.now();
    if (Date.now() > deadline)
      throw new Error(
        `not drained after ${timeoutMs} ms: lag ${JSON.stringify(lags)} on ${JSON.stringify(pairs)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Offsets committed by `group` on `topic`, summed over partitions (0 where nothing is committed). */
export async function committedTotal(bk: BenchKafka, group: string, topic: string): Promise<number> {
  const lags = await groupLag(bk.admin, group, topic);
  return lags.reduce((sum, p) => sum + Math.max(0, p.committed), 0);
}
