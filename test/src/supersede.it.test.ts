// Latest-state embedding (DESIGN §3) through the real pipeline: Kafka, the registry, Milvus Lite, the three
// services as processes, the fake OpenAI server counting what it embeds. The events are produced before the
// services start, so they meet a backlog, as after an outage or for a backfill.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { allRows, createMilvusClient, dropAll } from '@freshet/milvus';
import { event, product } from './support/events.js';
import { type FakeOpenAI, startFakeOpenAI } from './support/fake-openai.js';
import { buildOracle, diffAgainst } from './support/oracle.js';
import {
  connectKafka,
  deleteTopics,
  type PipelineNames,
  produceItems,
  type StreamItem,
  stageEnv,
  startPipeline,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { metricValue, type RunningService, type Stage, startService } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

const MODEL = { model: 'text-embedding-3-small', dimension: 64, templateVersion: 2 };
const ATTRIBUTES = ['color', 'material', 'size', 'model', 'gender', 'style'];

let fake: FakeOpenAI;
let embedding: Record<string, string>;
const milvus = createMilvusClient({ address: STACK.milvus });
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  await ensureStack();
  fake = await startFakeOpenAI();
  embedding = {
    FRESHET_EMBEDDING_PROVIDER: 'openai',
    FRESHET_EMBEDDING_BASE_URL: fake.url,
    FRESHET_EMBEDDING_API_KEY: 'sk-test-supersede',
    FRESHET_EMBEDDING_MODEL: MODEL.model,
    FRESHET_EMBEDDING_DIMENSIONS: String(MODEL.dimension),
  };
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake?.close();
  await milvus.closeConnection();
});

const ev = (e: ReturnType<typeof event>): StreamItem => ({ kind: 'event', event: e });
const hotTitle = (edit: number) => `Hot item, edit ${edit} of ten`;

/**
 * The backlog: a small catalog, a hot product edited ten times (its price changed between the edits), a
 * product updated then deleted (newer version), one updated then removed by a Kafka tombstone, and one whose
 * newest text the API refuses (400 → DLQ).
 */
function backlog(): { items: StreamItem[]; refused: StreamItem } {
  const items: StreamItem[] = [];
  for (let n = 0; n < 30; n++) items.push(ev(event(`p-${n}`, 'CREATE', 1, { product: product(n) })));
  items.push(ev(event('hot', 'CREATE', 1, { product: product(500, { title: hotTitle(0) }) })));
  for (let edit = 1; edit <= 10; edit++) {
    items.push(ev(event('hot', 'UPDATE', 2 * edit, { product: product(500, { title: hotTitle(edit) }) })));
    const price = { amountMinor: 1000 + edit, currency: 'EUR' };
    items.push(ev(event('hot', 'PRICE_CHANGE', 2 * edit + 1, { price })));
  }
  items.push(ev(event('gone', 'UPDATE', 2, { product: product(600, { title: 'Gone soon, versioned' }) })));
  items.push(ev(event('gone', 'DELETE', 3)));
  items.push(ev(event('tomb', 'UPDATE', 2, { product: product(700, { title: 'Gone soon, tombstoned' }) })));
  items.push({ kind: 'tombstone', productId: 'tomb' });
  items.push(ev(event('kept', 'UPDATE', 2, { product: product(800, { title: 'Kept: the text before' }) })));
  const refused = ev(event('kept', 'UPDATE', 3, { product: product(800, { title: 'Refused by the API' }) }));
  items.push(refused);
  return { items, refused };
}

async function setUp(label: string): Promise<{ names: PipelineNames; tk: TestKafka }> {
  const names = uniqueNames(label);
  const tk = await connectKafka(names);
  cleanups.push(async () => {
    await deleteTopics(tk, names);
    await tk.close();
    await dropAll(milvus, names.collection);
  });
  return { names, tk };
}

/** Times the fake embedded a text containing `part`. */
function embeddedCount(part: string): number {
  let n = 0;
  for (const [text, count] of fake.stats().texts) if (text.includes(part)) n += count;
  return n;
}

async function assertEqualsOracle(names: PipelineNames, items: StreamItem[]): Promise<void> {
  const rows = await allRows(milvus, names.collection);
  const diff = diffAgainst(buildOracle(items), rows, { ...MODEL, attributes: ATTRIBUTES });
  assert.deepEqual(diff, { lost: [], stale: [], ghost: [] });
}

test('a backlog: the hot product edited ten times is embedded once, for its final text; newer deletes and tombstones supersede; a refused newest text leaves the one before it indexed', async () => {
  const { names, tk } = await setUp('supersede');
  const { items, refused } = backlog();
  fake.refuse((text) => text.includes('Refused by the API'));
  await produceItems(tk, names.input, items);
  const services = await startPipeline(names, { router: embedding, embedder: embedding, writer: embedding });
  cleanups.push(async () => {
    await Promise.all(Object.values(services).map((s) => s.kill9()));
  });
  await waitDrained(tk, names, 120000, Object.values(services));

  assert.equal(embeddedCount(hotTitle(10)), 1, 'the final text, once');
  for (let edit = 0; edit < 10; edit++) assert.equal(embeddedCount(hotTitle(edit)), 0, `edit ${edit}`);
  assert.equal(
    embeddedCount('Gone soon'),
    0,
    'a text before a newer delete or a tombstone is never paid for',
  );
  assert.equal(embeddedCount('Kept: the text before'), 1, 'its superseder was refused: embedded after all');
  const paidTwice = [...fake.stats().texts].filter(([, n]) => n > 1).map(([t]) => t.slice(0, 40));
  assert.deepEqual(paidTwice, [], 'the refusal of one text costs the others nothing more');
  // The refused event sits in the DLQ: the index is the stream's without it.
  await assertEqualsOracle(
    names,
    items.filter((i) => i !== refused),
  );
  const metrics = await services.embedder.metrics();
  assert.equal(
    metricValue(metrics, 'freshet_events_total', { stage: 'embedder', outcome: 'superseded' }),
    12,
    'ten hot edits and the two texts before a delete are counted',
  );
  assert.equal(metricValue(metrics, 'freshet_dlq_total', { stage: 'embedder' }), 1);
  fake.refuse(null);
});

test('kill -9 of the embedder after it sent a batch with superseded texts and before the commit: the same final state', async () => {
  const { names, tk } = await setUp('supersede-crash');
  const { items } = backlog();
  const stream = items.filter((i) => i.kind !== 'event' || i.event.productId !== 'kept');
  const before = new Map([...fake.stats().texts]);
  await produceItems(tk, names.input, stream);
  const services: Partial<Record<Stage, RunningService>> = {};
  cleanups.push(async () => {
    await Promise.all(Object.values(services).map((s) => s.kill9()));
  });
  services.router = await startService('router', stageEnv(names, 'router', embedding));
  services.writer = await startService('writer', stageEnv(names, 'writer', embedding));
  // The failpoint SIGKILLs the embedder right after its first batch's outputs went out, before the commit.
  const crashing = await startService(
    'embedder',
    stageEnv(names, 'embedder', { ...embedding, FRESHET_FAILPOINTS: 'embedder.after-produce' }),
    60000,
    true,
  );
  assert.equal(await crashing.exited, 'SIGKILL');
  services.embedder = await startService('embedder', stageEnv(names, 'embedder', embedding));
  await waitDrained(tk, names, 120000, Object.values(services));

  await assertEqualsOracle(names, stream);
  const embedded = (part: string) => embeddedCount(part) - countIn(before, part);
  for (let edit = 0; edit < 10; edit++) assert.equal(embedded(hotTitle(edit)), 0, `edit ${edit}`);
  assert.ok(embedded(hotTitle(10)) >= 1, 'the final text is indexed (once, or again after the crash)');
  const metrics = await services.embedder.metrics();
  assert.ok(
    metricValue(metrics, 'freshet_events_total', { stage: 'embedder', outcome: 'superseded' }) >= 12,
    'the redelivered superseded texts are counted again',
  );
});

function countIn(texts: ReadonlyMap<string, number>, part: string): number {
  let n = 0;
  for (const [text, count] of texts) if (text.includes(part)) n += count;
  return n;
}
