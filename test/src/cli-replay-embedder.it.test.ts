// `freshet dlq replay --stage embedder` against the real stack and services: texts the embedding API
// refused while it misbehaved go back to the embed topic once it is fixed, and are indexed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createMilvusClient, dropAll, getRows } from '@freshet/milvus';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { cliEnv, deleteSubjects, jsonOf, runCli } from './support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from './support/fake-openai.js';
import {
  connectKafka,
  type PipelineNames,
  startPipeline,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import type { RunningService, Stage } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

interface Listed {
  entries: Array<{
    position: string;
    reason: string;
    stage: string;
    key: string;
    failed: { topic: string };
    source: { topic: string };
  }>;
}

let names: PipelineNames;
let env: Record<string, string>;
let tk: TestKafka;
let fake: FakeOpenAI;
let dir: string;
let services: Record<Stage, RunningService> | undefined;
const milvus = createMilvusClient({ address: STACK.milvus });
const lines = readFileSync(SAMPLE_CATALOG.path, 'utf8').split('\n').filter(Boolean).slice(100, 110);
const idOf = (line: string) => (JSON.parse(line) as { productId: string }).productId;

before(async () => {
  await ensureStack();
  names = uniqueNames('clireplay');
  tk = await connectKafka(names);
  fake = await startFakeOpenAI();
  const embedding = {
    FRESHET_EMBEDDING_PROVIDER: 'openai',
    FRESHET_EMBEDDING_BASE_URL: fake.url,
    FRESHET_EMBEDDING_API_KEY: 'sk-test-cli-replay',
    FRESHET_EMBEDDING_MODEL: 'text-embedding-3-small',
    FRESHET_EMBEDDING_DIMENSIONS: '64',
  };
  env = cliEnv(names, embedding);
  dir = mkdtempSync(join(tmpdir(), 'freshet-cli-replay-'));
  services = await startPipeline(names, { router: embedding, embedder: embedding, writer: embedding });
});

after(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.kill9()));
  if (tk) {
    await tk.admin
      .deleteTopics({ topics: [names.input, names.embed, names.index, names.dlq, `${names.dlq}-replays`] })
      .catch(() => {});
    await tk.close();
  }
  if (names) await deleteSubjects([names.input, names.embed, names.index]);
  await fake?.close();
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function produce(name: string, content: string[]): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, `${content.join('\n')}\n`);
  const run = await runCli(['produce', file, '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  await waitDrained(tk, names, 120000, Object.values(services!));
}

test('entries the embedder DLQd while the API refused texts are replayed to the embed topic and indexed once it is fixed', async () => {
  const provision = await runCli(['provision'], env);
  assert.equal(provision.code, 0, provision.stderr);
  const negative = JSON.stringify({
    productId: 'p-neg',
    product: { title: 'Bad price', description: 'x', price: { amountMinor: -5, currency: 'USD' } },
  });
  await produce('first.jsonl', [...lines.slice(0, 6), negative]);
  assert.equal((await getRows(milvus, names.collection, lines.slice(0, 6).map(idOf))).length, 6);

  // The provider starts refusing every input with a 400 (a non-retryable 4xx): the embedder DLQs them.
  fake.fail(400);
  await produce('second.jsonl', lines.slice(6));
  const refusedIds = lines.slice(6).map(idOf);
  assert.deepEqual(await getRows(milvus, names.collection, refusedIds), []);

  const listed = jsonOf<Listed>(await runCli(['dlq', 'list', '--stage', 'embedder', '--json'], env));
  assert.deepEqual(listed.entries.map((e) => e.key).sort(), [...refusedIds].sort());
  for (const e of listed.entries) {
    assert.equal(e.reason, 'FRESHET_EMBEDDING_REJECTED');
    assert.equal(e.failed.topic, names.embed);
    assert.equal(e.source.topic, names.input);
  }

  // Fixed on the provider's side; only the embedder's entries go back, to the topic the embedder consumes.
  fake.fail(null);
  const replay = await runCli(['dlq', 'replay', '--stage', 'embedder', '--json'], env);
  assert.equal(replay.code, 0, replay.stderr);
  const r = jsonOf<{ replayed: Array<{ key: string; target: string }>; notMatching: number }>(replay);
  assert.deepEqual(r.replayed.map((x) => x.key).sort(), [...refusedIds].sort());
  assert.ok(r.replayed.every((x) => x.target === names.embed));
  assert.equal(r.notMatching, 1, 'the router entry (negative price) stays in the DLQ untouched');
  await waitDrained(tk, names, 120000, Object.values(services!));

  const rows = await getRows(milvus, names.collection, refusedIds);
  assert.deepEqual(rows.map((x) => x.productId).sort(), [...refusedIds].sort());
  assert.ok(rows.every((x) => x.vector.length === 64));
  const after = jsonOf<Listed>(await runCli(['dlq', 'list', '--json'], env));
  assert.equal(
    after.entries.length,
    5,
    'nothing new in the DLQ: 4 embedder entries replayed, 1 router entry',
  );
});
