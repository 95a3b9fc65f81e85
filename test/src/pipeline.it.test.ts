import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groupLag } from '@freshet/kafka';
import { allRows, createMilvusClient, dropAll } from '@freshet/milvus';
import type { ProductEvent } from '@freshet/schemas';
import { pollUntil } from '@freshet/testkit';
import { event, product } from './support/events.js';
import { type FakeOpenAI, startFakeOpenAI } from './support/fake-openai.js';
import { buildOracle, diffAgainst } from './support/oracle.js';
import {
  connectKafka,
  deleteTopics,
  type PipelineNames,
  produceItems,
  readDlq,
  type StreamItem,
  stageEnv,
  startPipeline,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import type { RunningService, Stage } from './support/services.js';
import { metricValue, startService } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

const MODEL = { model: 'text-embedding-3-small', dimension: 64, templateVersion: 2 };
const ATTRIBUTES = ['color', 'material', 'size', 'model', 'gender', 'style'];

let names: PipelineNames;
let tk: TestKafka;
let fake: FakeOpenAI;
let services: Record<Stage, RunningService>;
/** The embedding settings every stage of this file runs with (the fake API's URL is known in before()). */
let embedding: Record<string, string>;
const milvus = createMilvusClient({ address: STACK.milvus });
const produced: StreamItem[] = [];

before(async () => {
  await ensureStack();
  names = uniqueNames('pipeline');
  tk = await connectKafka(names);
  fake = await startFakeOpenAI();
  embedding = {
    FRESHET_EMBEDDING_PROVIDER: 'openai',
    FRESHET_EMBEDDING_BASE_URL: fake.url,
    FRESHET_EMBEDDING_API_KEY: 'sk-test-sentinel-key',
    FRESHET_EMBEDDING_MODEL: MODEL.model,
    FRESHET_EMBEDDING_DIMENSIONS: String(MODEL.dimension),
  };
  services = await startPipeline(names, { router: embedding, embedder: embedding, writer: embedding });
});

after(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.close();
  }
  await fake?.close();
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

async function send(items: StreamItem[], schema: 'ProductEvent.v1' | 'ProductEvent.v2' = 'ProductEvent.v1') {
  await produceItems(tk, names.input, items, schema);
  produced.push(...items);
}
const ev = (e: ProductEvent): StreamItem => ({ kind: 'event', event: e });

async function assertMilvusEqualsOracle() {
  await waitDrained(tk, names, 120000, Object.values(services));
  const rows = await allRows(milvus, names.collection);
  const diff = diffAgainst(buildOracle(produced), rows, { ...MODEL, attributes: ATTRIBUTES });
  assert.deepEqual(diff, { lost: [], stale: [], ghost: [] });
  return rows;
}

test('after drain Milvus equals the oracle: out-of-order versions, duplicates, deletes, tombstones, unicode, v1 and v2', async () => {
  const items: StreamItem[] = [];
  for (let n = 0; n < 40; n++) items.push(ev(event(`p-${n}`, 'CREATE', 1, { product: product(n) })));
  // Text edits, price and stock changes.
  for (let n = 0; n < 40; n += 2)
    items.push(ev(event(`p-${n}`, 'UPDATE', 3, { product: product(n + 1000) })));
  for (let n = 1; n < 40; n += 3)
    items.push(ev(event(`p-${n}`, 'PRICE_CHANGE', 4, { price: { amountMinor: 777, currency: 'EUR' } })));
  for (let n = 2; n < 40; n += 5) items.push(ev(event(`p-${n}`, 'STOCK_UPDATE', 5, { stock: 0 })));
  // Out of order: an older update arrives after a newer one and must not win.
  items.push(ev(event('p-3', 'UPDATE', 2, { product: product(9999) })));
  // Duplicates: the same eventId twice.
  const dup = event('p-5', 'UPDATE', 6, { product: product(5005) });
  items.push(ev(dup), ev(dup));
  // Delete then an older update: no resurrection. Delete then a newer create: back.
  items.push(ev(event('p-7', 'DELETE', 10)), ev(event('p-7', 'UPDATE', 9, { product: product(77) })));
  items.push(ev(event('p-8', 'DELETE', 10)), ev(event('p-8', 'CREATE', 11, { product: product(88) })));
  // A partial update of a product that does not exist creates nothing.
  items.push(ev(event('p-none', 'PRICE_CHANGE', 1, { price: { amountMinor: 1, currency: 'USD' } })));
  // A Kafka tombstone deletes whatever is there.
  items.push({ kind: 'tombstone', productId: 'p-9' });
  await send(items);
  // A v2 producer (with locale) alongside v1.
  const v2 = {
    ...event('p-10', 'UPDATE', 20, { product: product(1010, { title: 'Điện thoại 📱 v2' }) }),
    locale: 'vi-VN',
  };
  await send([ev(v2), ev(event('p-100', 'CREATE', 1, { product: product(100) }))], 'ProductEvent.v2');

  const rows = await assertMilvusEqualsOracle();
  const ids = new Set(rows.map((r) => r.productId));
  assert.ok(!ids.has('p-7') && !ids.has('p-9') && !ids.has('p-none'));
  assert.ok(ids.has('p-8') && ids.has('p-100'));
  assert.equal(rows.find((r) => r.productId === 'p-10')?.title, 'Điện thoại 📱 v2');
});

test('price and stock changes and unchanged-text updates make no embedding call', async () => {
  const before = fake.stats();
  const items: StreamItem[] = [];
  for (let n = 11; n < 31; n++) {
    items.push(
      ev(event(`p-${n}`, 'PRICE_CHANGE', 50, { price: { amountMinor: 5000 + n, currency: 'USD' } })),
    );
    items.push(ev(event(`p-${n}`, 'STOCK_UPDATE', 51, { stock: n })));
  }
  // Same text, other image and an attribute outside the template: the content hash is unchanged.
  const latest = buildOracle(produced);
  for (const id of ['p-12', 'p-13', 'p-14']) {
    const p = latest.get(id)!.product;
    items.push(
      ev(
        event(id, 'UPDATE', 60, {
          product: { ...p, imageUrl: 'https://img/x.png', attributes: { ...p.attributes, warehouse: 'Z' } },
        }),
      ),
    );
  }
  await send(items);
  await assertMilvusEqualsOracle();
  const afterStats = fake.stats();
  assert.equal(afterStats.inputs, before.inputs, 'no text was embedded');
  assert.equal(afterStats.requests, before.requests);
});

test('bad input lands in the DLQ with its original bytes and a reason, and the next good event on the key is indexed', async () => {
  const schemaId = await tk.codec.register(names.input, 'ProductEvent.v1');
  const good = await tk.codec.encodeWith(schemaId, event('bad-1', 'CREATE', 1, { product: product(1) }));
  const bad: Array<{ key: string; value: Buffer; reason: string }> = [
    { key: 'bad-1', value: Buffer.from('garbage bytes'), reason: 'FRESHET_NOT_AVRO' },
    { key: 'bad-1', value: Buffer.from(JSON.stringify({ eventId: 'x' })), reason: 'FRESHET_NOT_AVRO' },
    {
      key: 'bad-1',
      value: Buffer.concat([Buffer.from([0, 0, 0x0f, 0x42, 0x3f]), good.subarray(5)]),
      reason: 'FRESHET_UNKNOWN_SCHEMA',
    },
    { key: 'bad-1', value: good.subarray(0, 12), reason: 'FRESHET_AVRO_DECODE' },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(schemaId, event('bad-1', 'UPDATE', 2)),
      reason: 'FRESHET_MISSING_PRODUCT',
    },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(
        schemaId,
        event('bad-1', 'PRICE_CHANGE', 2, { price: { amountMinor: -5, currency: 'USD' } }),
      ),
      reason: 'FRESHET_PRICE_INVALID',
    },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(
        schemaId,
        event('bad-1', 'PRICE_CHANGE', 2, { price: { amountMinor: 5, currency: 'usd1' } }),
      ),
      reason: 'FRESHET_CURRENCY_INVALID',
    },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(schemaId, event('bad-1', 'STOCK_UPDATE', 2, { stock: -1 })),
      reason: 'FRESHET_STOCK_INVALID',
    },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(schemaId, event('other', 'DELETE', 2)),
      reason: 'FRESHET_KEY_MISMATCH',
    },
    {
      key: 'x'.repeat(300),
      value: await tk.codec.encodeWith(schemaId, event('x'.repeat(300), 'DELETE', 2)),
      reason: 'FRESHET_ID_TOO_LONG',
    },
    {
      key: 'bad-1',
      value: await tk.codec.encodeWith(
        schemaId,
        event('bad-1', 'UPDATE', 2, { product: product(2, { description: 'x'.repeat(100_000) }) }),
      ),
      reason: 'FRESHET_TEXT_TOO_LONG',
    },
  ];
  await tk.producer.send({
    topic: names.input,
    acks: -1,
    messages: [
      ...bad.map((b) => ({ key: b.key, value: b.value, headers: { 'x-origin': 'test' } })),
      { key: 'bad-1', value: good },
    ],
  });
  const goodEvent = (await tk.codec.decode<ProductEvent>(good)).value;
  produced.push({ kind: 'event', event: goodEvent });
  await assertMilvusEqualsOracle();

  const dlq = await readDlq(tk, names, bad.length);
  assert.equal(dlq.length, bad.length);
  for (const [i, b] of bad.entries()) {
    assert.equal(dlq[i]?.reason, b.reason, `reason of bad input ${i}`);
    assert.ok(dlq[i]?.value.equals(b.value), `original bytes of bad input ${i}`);
    assert.equal(dlq[i]?.origin, 'test', 'original headers kept');
  }
  const routerMetrics = await services.router.metrics();
  assert.equal(metricValue(routerMetrics, 'freshet_dlq_total', { stage: 'router' }), bad.length);
});

test('a writer killed with -9 mid-stream loses nothing once restarted', async () => {
  const items: StreamItem[] = [];
  for (let n = 0; n < 300; n++)
    items.push(
      ev(
        event(
          `k-${n % 60}`,
          n < 60 ? 'CREATE' : 'PRICE_CHANGE',
          100 + n,
          n < 60 ? { product: product(n) } : { price: { amountMinor: n, currency: 'USD' } },
        ),
      ),
    );
  const sending = send(items);
  await services.writer.kill9();
  await sending;
  services.writer = await startService('writer', stageEnv(names, 'writer', embedding));
  await assertMilvusEqualsOracle();
});

test('a writer killed after Milvus acknowledged a batch but before the commit: the redelivery leaves the state correct', async () => {
  await waitDrained(tk, names, 120000, Object.values(services));
  assert.equal(await services.writer.terminate(15000), 0);
  // The failpoint SIGKILLs the writer right after its first batch is acknowledged by Milvus, before the commit.
  services.writer = await startService(
    'writer',
    stageEnv(names, 'writer', { ...embedding, FRESHET_FAILPOINTS: 'writer.after-milvus-ack' }),
  );
  const items: StreamItem[] = [];
  for (let n = 0; n < 60; n++)
    items.push(
      ev(
        n % 4 === 0
          ? event(`k-${n}`, 'UPDATE', 5000 + n, { product: product(n + 7000) })
          : event(`k-${n}`, 'PRICE_CHANGE', 5000 + n, { price: { amountMinor: 7000 + n, currency: 'EUR' } }),
      ),
    );
  await send(items);
  assert.equal(await services.writer.exited, 'SIGKILL', services.writer.logTail());
  const acknowledged = (await allRows(milvus, names.collection)).filter((r) => r.version >= 5000);
  assert.ok(acknowledged.length > 0, 'Milvus acknowledged part of the stream before the crash');
  const uncommitted = (await groupLag(tk.admin, names.groups.writer, names.index)).reduce(
    (n, p) => n + p.lag,
    0,
  );
  assert.ok(uncommitted >= acknowledged.length, `its offsets were not committed (lag ${uncommitted})`);

  services.writer = await startService('writer', stageEnv(names, 'writer', embedding));
  await assertMilvusEqualsOracle();
  // The acknowledged records came again and changed nothing: the version guard counted them stale.
  const stale = metricValue(await services.writer.metrics(), 'freshet_events_total', {
    stage: 'writer',
    outcome: 'stale',
  });
  assert.ok(stale >= acknowledged.length, `redelivered records were ignored as stale (${stale})`);
});

test('a tombstone and a newer CREATE redelivered together after a crash: the product stays, at the CREATE', async () => {
  await waitDrained(tk, names, 120000, Object.values(services));
  const ids = Array.from({ length: 24 }, (_, n) => `tc-${n}`);
  await send(ids.map((id, n) => ev(event(id, 'CREATE', 1, { product: product(n + 8000) }))));
  await waitDrained(tk, names, 120000, Object.values(services));
  assert.equal(await services.writer.terminate(15000), 0);

  // While the writer is away: a tombstone (a delete at unknown version), then a newer CREATE, per product.
  const items: StreamItem[] = [];
  for (const [n, id] of ids.entries()) {
    items.push({ kind: 'tombstone', productId: id });
    items.push(ev(event(id, 'CREATE', 9, { product: product(n + 9000) })));
  }
  await send(items);
  const pending = async () =>
    (await groupLag(tk.admin, names.groups.router, names.input)).reduce((n, p) => n + p.lag, 0) +
    (await groupLag(tk.admin, names.groups.embedder, names.embed)).reduce((n, p) => n + p.lag, 0);
  await pollUntil(async () => (await pending()) === 0, {
    timeoutMs: 60_000,
    what: 'router and embedder caught up',
  });

  // The writer's first batch holds both records of its products; it dies after Milvus acknowledged them.
  services.writer = await startService(
    'writer',
    stageEnv(names, 'writer', { ...embedding, FRESHET_FAILPOINTS: 'writer.after-milvus-ack' }),
    60000,
    true,
  );
  assert.equal(await services.writer.exited, 'SIGKILL', services.writer.logTail());
  const applied = (await allRows(milvus, names.collection)).filter(
    (r) => r.productId.startsWith('tc-') && r.version === 9,
  );
  assert.ok(applied.length > 0, 'Milvus acknowledged a batch with tombstones and CREATEs before the crash');

  // The redelivery replays the tombstone ahead of the CREATE it already applied: it must change nothing.
  services.writer = await startService('writer', stageEnv(names, 'writer', embedding));
  const rows = await assertMilvusEqualsOracle();
  const after = rows.filter((r) => r.productId.startsWith('tc-'));
  assert.deepEqual(after.map((r) => `${r.productId}@${r.version}`).sort(), ids.map((id) => `${id}@9`).sort());
});

test('SIGTERM drains and exits 0 within the grace period, and no secret reached the logs', async () => {
  for (const s of Object.values(services)) {
    const code = await s.terminate(15000);
    assert.equal(code, 0, `${s.stage} exit code\n${s.logTail()}`);
    const { readFileSync } = await import('node:fs');
    assert.ok(
      !readFileSync(s.logFile, 'utf8').includes('sk-test-sentinel-key'),
      `${s.stage} log holds the API key`,
    );
  }
});
