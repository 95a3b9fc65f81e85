// The batch handler against the real registry, with a scripted producer standing in for Kafka so that
// a failed produce can be made to happen exactly once.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadRouterConfig } from '@freshet/config';
import {
  type BatchContext,
  DlqPublisher,
  HEADER,
  headerString,
  type Message,
  type Producer,
  type StageRecord,
} from '@freshet/kafka';
import { AvroCodec, DecodeError, type ProductEvent } from '@freshet/schemas';
import { createLogger, createMetrics, type PipelineMetrics } from '@freshet/telemetry';
import { DedupWindow } from './dedup.js';
import { createRouterHandler } from './handler.js';
import { routeOptions } from './route.js';

const REGISTRY = process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const id = randomBytes(4).toString('hex');
const config = loadRouterConfig({
  FRESHET_TOPIC_INPUT: `h-${id}.input`,
  FRESHET_TOPIC_EMBED: `h-${id}.embed`,
  FRESHET_TOPIC_DLQ: `h-${id}.dlq`,
});
const route = routeOptions(config);
const codec = new AvroCodec({ url: REGISTRY });
let v1 = 0;

before(async () => {
  v1 = await codec.register(config.topics.input, 'ProductEvent.v1');
  await codec.register(route.embedTopic, 'EmbedRequest');
});
after(async () => {
  for (const t of [config.topics.input, route.embedTopic]) {
    await fetch(`${REGISTRY}/subjects/${t}-value`, { method: 'DELETE' }).catch(() => {});
  }
});

/** Records every produce request; fails the requests whose 0-based index is in `failing`. */
class ScriptedProducer {
  readonly sent: Array<{ topic: string; messages: Message[] }> = [];
  private calls = 0;
  constructor(private readonly failing: ReadonlySet<number> = new Set()) {}

  asProducer(): Producer {
    // produceAll sends through kafkajs' sendBatch (one request for every call queued meanwhile).
    return {
      sendBatch: (batch: { topicMessages: Array<{ topic: string; messages: Message[] }> }) =>
        this.request(batch.topicMessages),
    } as unknown as Producer;
  }

  forwarded(topic: string): string[] {
    return this.sent.filter((s) => s.topic === topic).flatMap((s) => s.messages.map((m) => String(m.key)));
  }

  private async request(records: Array<{ topic: string; messages: Message[] }>) {
    if (this.failing.has(this.calls++))
      throw Object.assign(new Error('broker not available'), { retriable: true });
    this.sent.push(...records);
    return [];
  }
}

function setup(producer: ScriptedProducer, windowSize = 100, registry = codec) {
  const metrics = createMetrics('router');
  const handler = createRouterHandler({
    codec: registry,
    producer: producer.asProducer(),
    dlq: new DlqPublisher(producer.asProducer(), config.topics.dlq, 'router'),
    dedup: new DedupWindow(windowSize),
    route,
    rules: { textMaxBytes: config.router.textMaxBytes },
    metrics,
    logger: createLogger({ service: 'router-test', level: 'silent' }),
    now: () => 1_700_000_000_500,
  });
  return { handler, metrics };
}

const ctx: BatchContext = {
  topic: 'in',
  partition: 0,
  signal: new AbortController().signal,
  isStale: () => false,
};
let offset = 0;

async function record(
  e: ProductEvent | null,
  key: string | null = e?.productId ?? null,
  value?: Buffer,
): Promise<StageRecord> {
  return {
    topic: config.topics.input,
    partition: 0,
    offset: String(offset++),
    key: key === null ? null : Buffer.from(key),
    value: value ?? (e === null ? null : await codec.encodeWith(v1, e)),
    headers: {},
    timestamp: '1700000000000',
  };
}

function update(productId: string, eventId = randomUUID()): ProductEvent {
  return {
    eventId,
    type: 'UPDATE',
    productId,
    version: 1,
    occurredAt: 1_700_000_000_000,
    product: {
      title: `Title ${productId}`,
      description: 'd',
      category: null,
      brand: null,
      tags: [],
      attributes: {},
      price: null,
      stock: null,
      imageUrl: null,
    },
    price: null,
    stock: null,
  };
}

async function count(metrics: PipelineMetrics, outcome: string): Promise<number> {
  const values = (await metrics.events.get()).values;
  return values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
}

test('a batch whose produce failed is retried whole: its events are not dropped as duplicates of the failed attempt', async () => {
  const producer = new ScriptedProducer(new Set([0]));
  const { handler, metrics } = setup(producer);
  const records = await Promise.all(['p1', 'p2', 'p3'].map((p) => record(update(p))));

  await assert.rejects(handler(records, ctx), /broker not available/);
  assert.equal(await count(metrics, 'forwarded'), 0, 'nothing is counted for a batch that was not durable');

  await handler(records, ctx);
  assert.deepEqual(producer.forwarded(route.embedTopic), ['p1', 'p2', 'p3']);
  assert.equal(await count(metrics, 'forwarded'), 3);

  // A redelivery of the same records after the acknowledged attempt (e.g. a crash before the commit).
  await handler(records, ctx);
  assert.deepEqual(producer.forwarded(route.embedTopic), ['p1', 'p2', 'p3']);
  assert.equal(await count(metrics, 'duplicate'), 3);
});

test('a failed DLQ publish fails the batch too, and its retry forwards and dead-letters everything again', async () => {
  const producer = new ScriptedProducer(new Set([1])); // send 0: forwards, send 1: the DLQ
  const { handler } = setup(producer);
  const records = [await record(update('p1')), await record(null, 'p1', Buffer.from('not avro'))];

  await assert.rejects(handler(records, ctx));
  await handler(records, ctx);
  // The forward went out twice (at-least-once; downstream is idempotent), the dead letter once.
  assert.deepEqual(producer.forwarded(route.embedTopic), ['p1', 'p1']);
  assert.deepEqual(producer.forwarded(config.topics.dlq), ['p1']);
});

test('bad records never throw: they go to the DLQ with their reason and the good ones around them are forwarded', async () => {
  const producer = new ScriptedProducer();
  const { handler, metrics } = setup(producer);
  const dup = update('p2');
  const records = [
    await record(update('p1')),
    await record(null, 'p1', Buffer.from('{"json":true}')),
    await record(update('p1'), 'other-key'),
    await record(dup),
    await record(dup),
    await record(null, 'p3'),
  ];
  await handler(records, ctx);
  assert.deepEqual(producer.forwarded(route.embedTopic), ['p1', 'p2', 'p3']);
  const letters = producer.sent.filter((s) => s.topic === config.topics.dlq).flatMap((s) => s.messages);
  assert.deepEqual(
    letters.map((m) => headerString(m.headers, HEADER.dlqReason)),
    ['FRESHET_NOT_AVRO', 'FRESHET_KEY_MISMATCH'],
  );
  assert.deepEqual(letters[0]?.value, records[1]?.value);
  assert.equal(await count(metrics, 'duplicate'), 1);
  assert.equal(await count(metrics, 'dlq'), 2);
});

test('a registry outage throws a retryable error instead of dead-lettering', async () => {
  const producer = new ScriptedProducer();
  const down = new AvroCodec({ url: 'http://127.0.0.1:9/apis/ccompat/v7' });
  const { handler } = setup(producer, 100, down);
  await assert.rejects(handler([await record(update('p1'))], ctx), (error: unknown) => {
    assert.ok(error instanceof DecodeError);
    assert.equal(error.code, 'FRESHET_REGISTRY_UNAVAILABLE');
    assert.equal(error.canRetry, true);
    return true;
  });
  assert.equal(producer.sent.length, 0, 'nothing forwarded, nothing dead-lettered');
});
