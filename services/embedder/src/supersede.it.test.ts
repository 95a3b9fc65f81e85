// The latest-state rule in the embedder's handler (DESIGN §3), with the real registry (the codec registers,
// encodes and decodes as in production); Kafka is replaced by a producer that records what it was asked to send
// and the embedding API by a function, so the test sees exactly which texts were paid for and what went out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { EmbeddingApiError } from '@freshet/embedding';
import {
  type BatchContext,
  DlqPublisher,
  type PendingBatch,
  type Producer,
  type StageRecord,
} from '@freshet/kafka';
import { AvroCodec, type EmbedRequest, type IndexWrite, UNKNOWN_VERSION } from '@freshet/schemas';
import { createLogger, createMetrics } from '@freshet/telemetry';
import { createEmbedderHandler, type Embeddings } from './handler.js';

const registry = process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

type Kind = EmbedRequest['type'];

function request(productId: string, type: Kind, version: number): EmbedRequest {
  const text = type === 'CREATE' || type === 'UPDATE' ? `text of ${productId} v${version}` : null;
  return {
    eventId: `${productId}-${type}-${version}`,
    type,
    productId,
    version,
    occurredAt: version,
    product: text
      ? {
          title: `title ${version}`,
          description: 'd',
          category: null,
          brand: null,
          tags: [],
          attributes: {},
          price: { amountMinor: version, currency: 'EUR' },
          stock: 1,
          imageUrl: null,
        }
      : null,
    price: type === 'PRICE_CHANGE' ? { amountMinor: 100 * version, currency: 'EUR' } : null,
    stock: type === 'STOCK_UPDATE' ? version : null,
    locale: null,
    text,
    contentHash: text ? `hash-${productId}-${version}` : null,
    templateVersion: 2,
    routedAt: version,
  };
}
const tombstoneOf = (productId: string) => request(productId, 'DELETE', UNKNOWN_VERSION);

/** The API: records every text sent; `refuse` answers 400 for a text, `down` fails every call (an outage). */
class FakeApi {
  readonly sent: string[] = [];
  down = false;
  refuse = new Set<string>();
  async embedMany(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.down) throw Object.assign(new Error('API down'), { code: 'FRESHET_EMBEDDING_UNAVAILABLE' });
    if (texts.some((t) => this.refuse.has(t)))
      throw new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', 'input refused', false, { status: 400 });
    this.sent.push(...texts);
    return texts.map(() => Float32Array.from([1, 0, 0, 0]));
  }
}

async function harness() {
  const id = randomBytes(4).toString('hex');
  const embedTopic = `it.${id}.embed`;
  const indexTopic = `it.${id}.index`;
  const dlqTopic = `it.${id}.dlq`;
  const codec = new AvroCodec({ url: registry });
  await codec.register(embedTopic, 'EmbedRequest');
  await codec.register(indexTopic, 'IndexWrite');
  const raw: Array<{ topic: string; key: string; value: Buffer }> = [];
  const producer = {
    async sendBatch(batch: {
      topicMessages?: Array<{ topic: string; messages: Array<{ key?: unknown; value?: unknown }> }>;
    }) {
      for (const t of batch.topicMessages ?? [])
        for (const m of t.messages)
          raw.push({ topic: t.topic, key: String(m.key), value: m.value as Buffer });
      return [];
    },
  } as unknown as Producer;
  const api = new FakeApi();
  const embeddings: Embeddings = {
    embedMany: (texts) => api.embedMany(texts),
    embeddings: { get: () => undefined, set: () => {} },
    productHashes: { get: () => undefined, set: () => {}, delete: () => {} },
  };
  const metrics = createMetrics('embedder-it');
  const handler = createEmbedderHandler({
    codec,
    producer,
    indexTopic,
    dlq: new DlqPublisher(producer, dlqTopic, 'embedder'),
    embeddings,
    lookupIndexed: async () => new Map(),
    model: { model: 'test', dimension: 4 },
    metrics,
    logger: createLogger({ service: 'embedder-it', level: 'silent' }),
    retry: { baseMs: 5, maxMs: 10 },
  });
  let offset = 0;
  const stop = new AbortController();
  const ctx: BatchContext = { topic: embedTopic, partition: 0, signal: stop.signal, isStale: () => false };
  return {
    api,
    stop,
    /** Hands one batch of these requests to the handler (offsets follow on); resolves when it is done. */
    async batch(requests: EmbedRequest[]): Promise<PendingBatch | undefined> {
      const records: StageRecord[] = await Promise.all(
        requests.map(async (r) => ({
          topic: embedTopic,
          partition: 0,
          offset: String(offset++),
          key: Buffer.from(r.productId),
          value: await codec.encode(embedTopic, r),
          headers: {},
          timestamp: String(Date.now()),
        })),
      );
      return (await handler(records, ctx)) ?? undefined;
    },
    /** The IndexWrites sent, in order, as `productId op version`. */
    async writes(): Promise<string[]> {
      const out: string[] = [];
      for (const m of raw.filter((x) => x.topic === indexTopic)) {
        const w = (await codec.decode<IndexWrite>(m.value)).value;
        out.push(`${w.productId} ${w.op} ${w.version}${w.vector ? ' +vector' : ''}`);
      }
      return out;
    },
    dlqKeys: () => raw.filter((x) => x.topic === dlqTopic).map((x) => x.key),
    async superseded(): Promise<number> {
      const metric = await metrics.registry.getSingleMetric('freshet_events_total')?.get();
      return (metric?.values ?? [])
        .filter((v) => v.labels.stage === 'embedder' && v.labels.outcome === 'superseded')
        .reduce((n, v) => n + v.value, 0);
    },
  };
}

test('a hot product edited ten times in one batch is embedded once, for its final text; every change is counted', async () => {
  const h = await harness();
  const batch: EmbedRequest[] = [request('hot', 'CREATE', 1)];
  for (let v = 2; v <= 10; v++) {
    batch.push(request('hot', 'UPDATE', v * 2));
    batch.push(request('hot', 'PRICE_CHANGE', v * 2 + 1));
  }
  batch.push(request('cold', 'CREATE', 1));
  await (await h.batch(batch))?.done;
  assert.deepEqual(h.api.sent.sort(), ['text of cold v1', 'text of hot v20']);
  const writes = await h.writes();
  assert.deepEqual(
    writes.filter((w) => w.startsWith('hot') && w.includes('UPSERT')),
    ['hot UPSERT 20 +vector'],
    'only the final text goes out; the writer never needs the others',
  );
  assert.equal(writes.filter((w) => w.startsWith('hot') && w.includes('PARTIAL')).length, 9);
  assert.equal(await h.superseded(), 9);
});

test('a newer delete supersedes; a Kafka tombstone turns the text before it into a delete at its version', async () => {
  const h = await harness();
  await (
    await h.batch([
      request('gone', 'UPDATE', 3),
      request('gone', 'DELETE', 4),
      request('tomb', 'UPDATE', 7),
      request('tomb', 'STOCK_UPDATE', 6), // older stock change (out of order): does not lift the guard above 7
      tombstoneOf('tomb'),
      request('back', 'UPDATE', 2), // superseded by the CREATE after the tombstone
      tombstoneOf('back'),
      request('back', 'CREATE', 3), // a tombstone BEFORE a text supersedes nothing
    ])
  )?.done;
  assert.deepEqual(h.api.sent, ['text of back v3']);
  assert.deepEqual(await h.writes(), [
    'gone DELETE 4',
    'tomb DELETE 7',
    'tomb PARTIAL 6',
    'tomb DELETE -1',
    'back DELETE -1',
    'back UPSERT 3 +vector',
  ]);
  assert.equal(await h.superseded(), 3);
});

test('versions out of offset order: a higher version at an EARLIER offset supersedes; a higher price change between keeps the text', async () => {
  const h = await harness();
  await (
    await h.batch([
      request('late', 'UPDATE', 9),
      request('late', 'UPDATE', 5), // arrives late: stale at the writer, never embedded
      request('kept', 'UPDATE', 1),
      request('kept', 'PRICE_CHANGE', 8), // makes the UPDATE v4 below stale: the v1 text is what stays indexed
      request('kept', 'UPDATE', 4),
    ])
  )?.done;
  assert.deepEqual(h.api.sent.sort(), ['text of kept v1', 'text of kept v4', 'text of late v9']);
});

test('the superseding text refused by the API (400 → DLQ): the text before it is embedded and indexed after all', async () => {
  const h = await harness();
  h.api.refuse.add('text of p v2');
  await (await h.batch([request('p', 'CREATE', 1), request('p', 'UPDATE', 2)]))?.done;
  assert.deepEqual(h.api.sent, ['text of p v1']);
  assert.deepEqual(await h.writes(), ['p UPSERT 1 +vector']);
  assert.deepEqual(h.dlqKeys(), ['p']);
  assert.equal(await h.superseded(), 0);
});

test('across batches in flight: after an API outage, a text superseded by a later batch is not embedded', async () => {
  const h = await harness();
  h.api.down = true;
  const first = await h.batch([request('x', 'UPDATE', 1), request('y', 'UPDATE', 1)]);
  const second = await h.batch([request('x', 'PRICE_CHANGE', 2), request('x', 'UPDATE', 3)]);
  assert.ok(first && second, 'both pending while the API is down');
  await new Promise((r) => setTimeout(r, 30)); // the first batch's calls fail and are retried meanwhile
  h.api.down = false;
  await Promise.all([first.done, second.done]);
  assert.deepEqual(h.api.sent.sort(), ['text of x v3', 'text of y v1']);
  assert.deepEqual(await h.writes(), ['y UPSERT 1 +vector', 'x PARTIAL 2', 'x UPSERT 3 +vector']);
});

test('across batches: a later superseding text the API refuses leaves the earlier text to be embedded', async () => {
  const h = await harness();
  h.api.down = true;
  h.api.refuse.add('text of x v3');
  const first = await h.batch([request('x', 'UPDATE', 1)]);
  const second = await h.batch([request('x', 'UPDATE', 3)]);
  await new Promise((r) => setTimeout(r, 30));
  h.api.down = false;
  await Promise.all([first?.done, second?.done]);
  assert.deepEqual(h.api.sent, ['text of x v1']);
  assert.deepEqual(await h.writes(), ['x UPSERT 1 +vector']);
  assert.deepEqual(h.dlqKeys(), ['x']);
});

test('a stop while a superseded text waits for its superseder: both batches are given up, nothing goes out', async () => {
  const h = await harness();
  h.api.down = true;
  const first = await h.batch([request('x', 'UPDATE', 1)]);
  const second = await h.batch([request('x', 'UPDATE', 3)]);
  await new Promise((r) => setTimeout(r, 30));
  h.stop.abort(new Error('stopping'));
  await assert.rejects(second!.done);
  await assert.rejects(first!.done, 'the stop gives up the first too: nothing committed, both redone');
  assert.deepEqual(await h.writes(), []);
});
