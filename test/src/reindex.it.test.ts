import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groupLag } from '@freshet/kafka';
import {
  allRows,
  createMilvusClient,
  describeAlias,
  dropAll,
  listPhysical,
  physicalName,
  searchThroughAlias,
} from '@freshet/milvus';
import { dropOldCollections, type ReindexPhase, type ReindexResult, reindex } from '@freshet/reindex';
import { AvroCodec, contentHash, embeddingText, type ProductEvent } from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import {
  buildOracle,
  catalogEvents,
  editProductText,
  type FakeOpenAI,
  fakeEmbedding,
  generateCatalog,
  Rng,
  startFakeOpenAI,
} from '@freshet/testkit';
import {
  connectKafka,
  deleteTopics,
  type PipelineNames,
  produceItems,
  type StreamItem,
  startPipeline,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { waitFor } from './support/ports.js';
import { metricValue, type RunningService, type Stage } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

const BLUE = { model: 'text-embedding-3-small', dimension: 32, templateVersion: 1 };
const GREEN = { model: 'text-embedding-3-large', dimension: 48, templateVersion: 1 };
const ATTRIBUTES = ['color', 'material', 'size', 'model', 'gender', 'style'];
const CATALOG = 250;

let names: PipelineNames;
let tk: TestKafka;
let fake: FakeOpenAI;
let services: Partial<Record<Stage, RunningService>> = {};
const milvus = createMilvusClient({ address: STACK.milvus });
const searcher = createMilvusClient({ address: STACK.milvus });
const reindexClient = createMilvusClient({ address: STACK.milvus });
const produced: StreamItem[] = [];

const stageEnv = (m: typeof BLUE) => ({
  FRESHET_EMBEDDING_PROVIDER: 'openai',
  FRESHET_EMBEDDING_BASE_URL: fake.url,
  FRESHET_EMBEDDING_API_KEY: 'sk-test-reindex',
  FRESHET_EMBEDDING_MODEL: m.model,
  FRESHET_EMBEDDING_DIMENSIONS: String(m.dimension),
  FRESHET_TEMPLATE_VERSION: String(m.templateVersion),
  FRESHET_WRITER_MAX_WAIT_MS: '50',
});
const pipelineEnv = (m: typeof BLUE) => ({ router: stageEnv(m), embedder: stageEnv(m), writer: stageEnv(m) });

before(async () => {
  await ensureStack();
  names = uniqueNames('reindex');
  tk = await connectKafka(names);
  fake = await startFakeOpenAI();
  services = await startPipeline(names, pipelineEnv(BLUE));
});

after(async () => {
  await Promise.all(Object.values(services).map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.admin.deleteGroups([`${names.collection}.reindex.v2`]).catch(() => {});
    await tk.close();
  }
  await fake?.close();
  if (names) await dropAll(milvus, names.collection);
  await Promise.all([milvus, searcher, reindexClient].map((c) => c.closeConnection()));
});

/** Price, stock and text changes (and a few deletes and re-creates) at a steady rate until stopped. */
function liveTraffic(catalog: ReturnType<typeof generateCatalog>) {
  const rng = new Rng(11);
  const state = new Map(
    catalog.map((e) => [e.productId, { version: 1, product: e.product, deleted: false }]),
  );
  let running = true;
  let sent = 0;
  const done = (async () => {
    while (running) {
      const events: ProductEvent[] = [];
      for (let i = 0; i < 4; i++) {
        const id = catalog[rng.int(0, catalog.length - 1)]!.productId;
        const s = state.get(id)!;
        s.version++;
        const base = { eventId: rng.uuid(), productId: id, version: s.version, occurredAt: Date.now() };
        const roll = rng.next();
        let e: ProductEvent;
        if (s.deleted) {
          s.deleted = false;
          e = { ...base, type: 'CREATE', product: s.product, price: null, stock: null };
        } else if (roll < 0.4) {
          e = {
            ...base,
            type: 'PRICE_CHANGE',
            product: null,
            price: { amountMinor: rng.int(100, 99_999), currency: 'USD' },
            stock: null,
          };
        } else if (roll < 0.65) {
          e = { ...base, type: 'STOCK_UPDATE', product: null, price: null, stock: rng.int(0, 40) };
        } else if (roll < 0.96) {
          s.product = editProductText(s.product, rng);
          e = { ...base, type: 'UPDATE', product: s.product, price: null, stock: null };
        } else {
          s.deleted = true;
          e = { ...base, type: 'DELETE', product: null, price: null, stock: null };
        }
        events.push(e);
      }
      const items = events.map((event): StreamItem => ({ kind: 'event', event }));
      await produceItems(tk, names.input, items);
      produced.push(...items);
      sent += items.length;
      await new Promise((r) => setTimeout(r, 80));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Searches through the alias in a loop; every failure or short answer is recorded. */
function searchLoop() {
  let running = true;
  const log: Array<{ at: number; physical: string; hits: number }> = [];
  const failures: string[] = [];
  const done = (async () => {
    while (running) {
      try {
        const { physical, hits } = await searchThroughAlias(
          searcher,
          names.collection,
          async ({ dimension, model }) =>
            fakeEmbedding('wireless noise cancelling headphones', dimension, model?.model ?? '?'),
          { k: 5 },
        );
        log.push({ at: Date.now(), physical, hits: hits.length });
        if (hits.length < 5) failures.push(`${physical}: ${hits.length} hits`);
      } catch (error) {
        failures.push(String(error));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    log,
    failures,
    async stop() {
      running = false;
      await done;
    },
  };
}

test('reindex under live traffic: zero failed searches, alias on the new collection, which equals the oracle with new-dimension vectors', async () => {
  const catalog = generateCatalog({ count: CATALOG, seed: 5 });
  const warm = catalogEvents(catalog).map((event): StreamItem => ({ kind: 'event', event }));
  await produceItems(tk, names.input, warm);
  produced.push(...warm);
  await waitDrained(tk, names, 90_000, Object.values(services));
  const v1 = physicalName(names.collection, 1);
  const v2 = physicalName(names.collection, 2);
  assert.deepEqual((await describeAlias(milvus, names.collection))?.model, BLUE);

  process.stderr.write(`[reindex-test] ${new Date().toISOString()} warm drained\n`);
  const searches = searchLoop();
  const traffic = liveTraffic(catalog);
  await waitFor('live traffic flowing', () => traffic.sent() > 40, 20_000);

  const phases: Array<{ phase: ReindexPhase; at: number }> = [];
  let handover: Promise<void> = Promise.resolve();
  const logger = createLogger({ service: 'reindex-test', level: 'warn' });
  const progress = setInterval(() => {
    void Promise.all([
      groupLag(tk.admin, `${names.collection}.reindex.v2`, names.embed),
      groupLag(tk.admin, names.groups.writer, names.index),
    ]).then(([b, w]) =>
      process.stderr.write(
        `[reindex-test] ${new Date().toISOString()} lag builder ${b.map((p) => `${p.committed}/${p.end}`).join(' ')} writer ${w.map((p) => p.lag).join(' ')} sent ${traffic.sent()}\n`,
      ),
    );
  }, 3000);
  const result: ReindexResult = await reindex({
    kafka: tk.kafka,
    milvus: reindexClient,
    codec: new AvroCodec({ url: STACK.registry }),
    alias: names.collection,
    topics: { input: names.input, embed: names.embed, index: names.index },
    groups: names.groups,
    embedding: {
      provider: 'openai',
      model: GREEN.model,
      dimension: GREEN.dimension,
      openai: { baseURL: fake.url, apiKey: 'sk-test-reindex' },
    },
    templateVersion: GREEN.templateVersion,
    attributes: ATTRIBUTES,
    logger,
    consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 },
    onPhase(phase) {
      phases.push({ phase, at: Date.now() });
      process.stderr.write(`[reindex-test] ${new Date().toISOString()} ${phase}\n`);
      if (phase === 'awaiting-handover') {
        // The operator's part: let the live traffic run on the new collection a moment (the builder keeps
        // it current), then stop the blue stages; after the handover, start them with the new model.
        handover = (async () => {
          await new Promise((r) => setTimeout(r, 1500));
          const codes = await Promise.all(Object.values(services).map((s) => s.terminate(30_000)));
          assert.deepEqual(codes, [0, 0, 0]);
        })();
      }
    },
  });
  await handover;
  clearInterval(progress);
  assert.equal(result.to, v2);
  assert.equal(result.from, v1);
  assert.ok(result.handedOver);
  assert.deepEqual(
    phases.map((p) => p.phase),
    ['created', 'building', 'caught-up', 'verified', 'swapped', 'awaiting-handover', 'handed-over', 'done'],
  );
  assert.ok(result.counts.newCount > 0 && result.sample.sampled > 0 && result.sample.problems.length === 0);
  assert.ok(result.builder.embedded > 0);

  process.stderr.write(`[reindex-test] ${new Date().toISOString()} reindex returned\n`);
  services = await startPipeline(names, pipelineEnv(GREEN));
  process.stderr.write(`[reindex-test] ${new Date().toISOString()} green started\n`);
  await new Promise((r) => setTimeout(r, 1500));
  await traffic.stop();
  await waitDrained(tk, names, 90_000, Object.values(services));
  await searches.stop();
  process.stderr.write(`[reindex-test] ${new Date().toISOString()} drained\n`);

  // Searches: none failed, each answered from one whole collection, the switch seen once and for good.
  assert.deepEqual(searches.failures, []);
  // A search is logged when it completes, so one that completes just before the 'swapped' callback may
  // already have resolved the alias to the new collection; the swap starts only after 'verified'.
  const verifiedAt = phases.find((p) => p.phase === 'verified')!.at;
  const seen = searches.log.map((s) => s.physical);
  assert.ok(seen.includes(v1) && seen.includes(v2), 'searches ran on both sides of the swap');
  assert.equal(seen.lastIndexOf(v1) < seen.indexOf(v2), true, 'no search went back to the old collection');
  const beforeSwap = searches.log.filter((s) => s.at < verifiedAt);
  assert.ok(
    beforeSwap.length > 0 && beforeSwap.every((s) => s.physical === v1),
    'searches before the swap saw the old collection',
  );
  assert.ok(searches.log.length > 50, `${searches.log.length} searches`);

  // The alias is on the new collection, the old one is kept.
  const target = await describeAlias(milvus, names.collection);
  assert.equal(target?.physical, v2);
  assert.deepEqual(target?.model, GREEN);
  assert.deepEqual(await listPhysical(milvus, names.collection), [1, 2]);

  // The new collection equals the oracle of everything produced, with vectors of the new model.
  const oracle = buildOracle(
    produced.map((i) => (i.kind === 'event' ? { kind: 'event' as const, event: i.event } : i)),
    {
      embeddingText: (p) =>
        embeddingText(p, { templateVersion: GREEN.templateVersion, attributes: ATTRIBUTES }),
      contentHash: (t) => contentHash(t, GREEN),
    },
  );
  const rows = await allRows(milvus, v2, true);
  const diff = oracle.diffAgainst(rows);
  assert.deepEqual(
    { lost: diff.lost, stale: diff.stale, ghost: diff.ghost },
    { lost: [], stale: [], ghost: [] },
    JSON.stringify([...diff.details].slice(0, 5)),
  );
  assert.ok(rows.length > CATALOG * 0.8);
  const expected = new Map(oracle.present().map((e) => [e.productId, e]));
  for (const row of rows) {
    assert.equal(row.model, GREEN.model);
    const want = fakeEmbedding(expected.get(row.productId)!.text, GREEN.dimension, GREEN.model);
    const got = Array.from(row.vector);
    assert.equal(got.length, GREEN.dimension);
    assert.ok(
      got.every((v, i) => Math.abs(v - want[i]!) < 1e-5),
      `${row.productId}: vector is not the new model's vector of its latest text`,
    );
  }

  // The green stages took over without a DLQ record (the queued old-model writes were handed over).
  for (const s of Object.values(services))
    assert.equal(metricValue(await s.metrics(), 'freshet_dlq_total'), 0, `${s.stage} DLQ`);
  const writerMetrics = await services.writer!.metrics();
  assert.ok(metricValue(writerMetrics, 'freshet_events_total', { stage: 'writer', outcome: 'applied' }) > 0);

  // --drop-old: the old collection goes, searches keep working on the alias.
  assert.deepEqual(await dropOldCollections(reindexClient, names.collection), [v1]);
  assert.deepEqual(await listPhysical(milvus, names.collection), [2]);
  const after = await searchThroughAlias(searcher, names.collection, async ({ dimension, model }) =>
    fakeEmbedding('kettle', dimension, model?.model ?? '?'),
  );
  assert.equal(after.physical, v2);
  assert.equal(after.hits.length, 10);
});
