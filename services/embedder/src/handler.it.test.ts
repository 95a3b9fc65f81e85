import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  type BatchContext,
  DlqPublisher,
  type PendingBatch,
  type Producer,
  type StageRecord,
} from '@freshet/kafka';
import { AvroCodec, type EmbedRequest } from '@freshet/schemas';
import { createLogger, createMetrics } from '@freshet/telemetry';
import { createEmbedderHandler, type Embeddings } from './handler.js';

// The real registry (the codec registers and encodes as in production); Kafka is replaced by a producer that
// records what it was asked to send, so the test can look at the order of one product's outputs.
const registry = process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

function request(productId: string, type: EmbedRequest['type'], version: number): EmbedRequest {
  const text = type === 'UPDATE' ? `text of ${productId} v${version}` : null;
  return {
    eventId: `${productId}-${version}`,
    type,
    productId,
    version,
    occurredAt: version,
    product: null,
    price: type === 'PRICE_CHANGE' ? { amountMinor: 100 * version, currency: 'EUR' } : null,
    stock: null,
    locale: null,
    text,
    contentHash: text ? `hash-${version}` : null,
    templateVersion: 2,
    routedAt: version,
  };
}

test('a stop while a text waits for the API: the product’s later price change is not sent ahead of it', async () => {
  const id = randomBytes(4).toString('hex');
  const embedTopic = `it.${id}.embed`;
  const indexTopic = `it.${id}.index`;
  const codec = new AvroCodec({ url: registry });
  await codec.register(embedTopic, 'EmbedRequest');
  await codec.register(indexTopic, 'IndexWrite');
  const sent: string[] = [];
  const producer = {
    async sendBatch(batch: { topicMessages?: Array<{ topic: string; messages: Array<{ key?: unknown }> }> }) {
      for (const t of batch.topicMessages ?? [])
        for (const m of t.messages) sent.push(`${t.topic}:${String(m.key)}`);
      return [];
    },
  } as unknown as Producer;
  const embeddings: Embeddings = {
    // The API is down: every call fails (an outage, so the batch retries instead of dead-lettering).
    embedMany: async () => {
      throw Object.assign(new Error('API down'), { code: 'FRESHET_EMBEDDING_UNAVAILABLE' });
    },
    embeddings: { get: () => undefined, set: () => {} },
    productHashes: { get: () => undefined, set: () => {}, delete: () => {} },
  };
  const metrics = createMetrics('embedder-it');
  const handler = createEmbedderHandler({
    codec,
    producer,
    indexTopic,
    dlq: new DlqPublisher(producer, `it.${id}.dlq`, 'embedder'),
    embeddings,
    lookupIndexed: async () => new Map(),
    model: { model: 'test', dimension: 4 },
    metrics,
    logger: createLogger({ service: 'embedder-it', level: 'silent' }),
    retry: { baseMs: 5, maxMs: 10 },
  });
  let offset = 0;
  const record = async (r: EmbedRequest): Promise<StageRecord> => ({
    topic: embedTopic,
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(r.productId),
    value: await codec.encode(embedTopic, r),
    headers: {},
    timestamp: String(Date.now()),
  });
  const stop = new AbortController();
  const ctx: BatchContext = { topic: embedTopic, partition: 0, signal: stop.signal, isStale: () => false };

  const first = (await handler([await record(request('x', 'UPDATE', 7))], ctx)) as PendingBatch;
  const second = (await handler([await record(request('x', 'PRICE_CHANGE', 8))], ctx)) as PendingBatch;
  assert.ok(first?.done && second?.done, 'both batches are pending: the second waits for x’s text');
  await new Promise((r) => setTimeout(r, 50)); // the text's call fails and is retried meanwhile
  assert.deepEqual(sent, []);

  stop.abort(new Error('stopping'));
  await assert.rejects(first.done);
  await assert.rejects(second.done, 'given up with the batch before it: it will be redone, in order');
  assert.deepEqual(sent, [], 'x v8 never went out ahead of x v7');
});
