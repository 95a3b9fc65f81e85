import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { groupLag } from '@freshet/kafka';
import { allRows, createMilvusClient, describeAlias, dropAll, vectorToBytes } from '@freshet/milvus';
import type { IndexWrite } from '@freshet/schemas';
import { cliEnv, runCli } from './support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from './support/fake-openai.js';
import {
  connectKafka,
  deleteTopics,
  type PipelineNames,
  readDlq,
  stageEnv,
  type TestKafka,
  uniqueNames,
} from './support/pipeline.js';
import { waitFor } from './support/ports.js';
import { metricValue, type RunningService, spawnService, startService } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

// Issue 14, one collection, one model: two models of the SAME dimension, so only the model check (not the
// dimension check that existed before) can tell them apart.
const SMALL = { model: 'text-embedding-3-small', dimension: 16 };
const LARGE = { model: 'text-embedding-3-large', dimension: 16 };

const milvus = createMilvusClient({ address: STACK.milvus });
let names: PipelineNames;
let tk: TestKafka;
let fake: FakeOpenAI;
const running: RunningService[] = [];

const modelEnv = (m: { model: string; dimension: number }) => ({
  FRESHET_EMBEDDING_PROVIDER: 'openai',
  FRESHET_EMBEDDING_BASE_URL: fake.url,
  FRESHET_EMBEDDING_API_KEY: 'sk-test',
  FRESHET_EMBEDDING_MODEL: m.model,
  FRESHET_EMBEDDING_DIMENSIONS: String(m.dimension),
});

async function start(
  stage: 'embedder' | 'writer',
  m: { model: string; dimension: number },
  until: 'ready' | 'alive',
): Promise<RunningService> {
  const env = stageEnv(names, stage, modelEnv(m));
  const service = until === 'ready' ? await startService(stage, env) : await spawnService(stage, env);
  running.push(service);
  return service;
}

function upsert(productId: string, m: { model: string; dimension: number }, version = 1): IndexWrite {
  const vector = new Float32Array(m.dimension).fill(0.25);
  return {
    op: 'UPSERT',
    eventId: `${productId}-${version}`,
    eventType: 'CREATE',
    productId,
    version,
    occurredAt: Date.now(),
    title: `title ${productId}`,
    category: null,
    brand: null,
    priceMinor: 1000,
    currency: 'EUR',
    stock: 1,
    contentHash: 'a'.repeat(64),
    model: m.model,
    dimension: m.dimension,
    vector: vectorToBytes(vector),
  };
}

async function readyz(service: RunningService): Promise<{
  status: number;
  body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
}> {
  const res = await fetch(`${service.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

before(async () => {
  await ensureStack();
  names = uniqueNames('model');
  tk = await connectKafka(names);
  fake = await startFakeOpenAI();
});

after(async () => {
  await Promise.all(running.map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.close();
  }
  await fake?.close();
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

test('a writer, an embedder and freshet search of another model refuse (not ready, named, no crash loop, nothing written); the collection writer then DLQs the mixed IndexWrite', async () => {
  // The collection is made by a writer of SMALL: its model is recorded on it.
  const first = await start('writer', SMALL, 'ready');
  assert.equal(await first.terminate(), 0);
  // Its member gone (left, or expired after a missed leave under load), so a member later is the refused one.
  await waitFor(
    'the first writer left its group',
    async () => {
      const { groups } = await tk.admin.describeGroups([names.groups.writer]);
      return groups.every((g) => g.state === 'Empty' || g.state === 'Dead');
    },
    45000,
    250,
  );
  assert.deepEqual((await describeAlias(milvus, names.collection))?.model, { ...SMALL, templateVersion: 2 });

  // Queued for the writer: a SMALL upsert, a LARGE upsert (a replica left on another model), and a price
  // change of the SMALL product (no vector: fits any collection).
  const schemaId = await tk.codec.register(names.index, 'IndexWrite');
  const mixed = await tk.codec.encodeWith(schemaId, upsert('p-large', LARGE));
  await tk.producer.send({
    topic: names.index,
    acks: -1,
    messages: [
      { key: 'p-small', value: await tk.codec.encodeWith(schemaId, upsert('p-small', SMALL)) },
      { key: 'p-large', value: mixed, headers: { 'x-origin': 'test' } },
      {
        key: 'p-small',
        value: await tk.codec.encodeWith(schemaId, {
          ...upsert('p-small', SMALL, 2),
          op: 'PARTIAL',
          eventType: 'PRICE_CHANGE',
          title: null,
          contentHash: null,
          currency: 'EUR',
          stock: null,
          priceMinor: 555,
          model: null,
          dimension: 0,
          vector: null,
        }),
      },
    ],
  });

  // A writer and an embedder configured for LARGE: alive, not ready, the reason on /readyz.
  const writer = await start('writer', LARGE, 'alive');
  const embedder = await start('embedder', LARGE, 'alive');
  for (const [service, who] of [
    [writer, 'the writer'],
    [embedder, 'the embedder'],
  ] as const) {
    const ready = await waitFor(
      `${service.stage} reports the refusal`,
      async () => {
        // Not listening yet, or still starting: ask again.
        const r = await readyz(service).catch(() => null);
        return r?.body.checks.model ? r : false;
      },
      20000,
      200,
    );
    assert.equal(ready.status, 503);
    const detail = ready.body.checks.model?.detail ?? '';
    assert.equal(ready.body.checks.model?.ok, false);
    assert.match(detail, /^FRESHET_MODEL_MISMATCH: /);
    assert.ok(
      detail.includes(
        `holds vectors of text-embedding-3-small (16 dimensions, template 2), but ${who} is configured for text-embedding-3-large (16 dimensions, template 2)`,
      ),
      detail,
    );
    assert.match(detail, /freshet reindex --model text-embedding-3-large --dimensions 16 --template 2/);
    assert.match(detail, /FRESHET_COLLECTION/);
    assert.equal((await fetch(`${service.url}/healthz`)).status, 200, 'alive');
  }

  // `freshet search` configured for LARGE: exit 1 with the same message.
  const search = await runCli(['search', 'anything'], cliEnv(names, modelEnv(LARGE)));
  assert.equal(search.code, 1, search.stderr);
  assert.match(
    search.stderr,
    /freshet: FRESHET_MODEL_MISMATCH: collection .* holds vectors of text-embedding-3-small/,
  );
  assert.match(search.stderr, /but this search is configured for text-embedding-3-large \(16 dimensions\)/);

  // No crash loop: still running after a while, the refusal logged once; nothing consumed or written.
  await new Promise((r) => setTimeout(r, 3000));
  for (const service of [writer, embedder]) {
    assert.equal(service.process.exitCode, null, `${service.stage} still running`);
    const refusals = readFileSync(service.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('refusing to run'));
    assert.equal(refusals.length, 1, service.logTail());
    assert.match(refusals[0] ?? '', /"code":"FRESHET_MODEL_MISMATCH"/);
  }
  const { groups } = await tk.admin.describeGroups([names.groups.writer, names.groups.embedder]);
  for (const g of groups)
    assert.ok(
      ['Empty', 'Dead'].includes(g.state),
      `${g.groupId} has no member: ${g.state} ${g.members.map((m) => m.clientId).join(', ')}`,
    );
  assert.ok(
    (await groupLag(tk.admin, names.groups.writer, names.index)).reduce((s, p) => s + p.lag, 0) === 3,
    'the refused writer committed nothing',
  );
  assert.equal((await allRows(milvus, names.collection)).length, 0, 'nothing written');
  // A refusing stage still stops cleanly.
  assert.equal(await writer.terminate(), 0);
  assert.equal(await embedder.terminate(), 0);

  // The collection's own writer: the SMALL rows go in, the LARGE upsert goes to the DLQ with its reason,
  // its original bytes and headers, and the partition moves on (everything committed).
  const own = await start('writer', SMALL, 'ready');
  await waitFor(
    'writer committed everything',
    async () =>
      (await groupLag(tk.admin, names.groups.writer, names.index)).reduce((s, p) => s + p.lag, 0) === 0,
    30000,
    200,
  );
  const rows = await allRows(milvus, names.collection);
  assert.deepEqual(
    rows.map((r) => [r.productId, r.model, r.priceMinor]),
    [['p-small', 'text-embedding-3-small', 555]],
  );

  const dlq = await readDlq(tk, names, 1, { settleMs: 500 });
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0]?.key, 'p-large');
  assert.equal(dlq[0]?.reason, 'FRESHET_MODEL_MISMATCH');
  assert.equal(dlq[0]?.stage, 'writer');
  assert.ok(dlq[0]?.value.equals(mixed), 'original bytes');
  assert.equal(dlq[0]?.origin, 'test', 'original headers kept');
  assert.equal(
    metricValue(await own.metrics(), 'freshet_dlq_total', {
      stage: 'writer',
      reason: 'FRESHET_MODEL_MISMATCH',
    }),
    1,
  );

  // And a search of the collection's model works.
  const ok = await runCli(['search', 'anything'], cliEnv(names, modelEnv(SMALL)));
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await own.terminate(), 0);
});
