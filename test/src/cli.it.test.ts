// The `freshet` CLI as a real process against the real stack and the three real services: provision,
// produce → pipeline → search, DLQ inspect and replay after a fix, status.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HEADER } from '@freshet/kafka';
import { createMilvusClient, dropAll, getRows } from '@freshet/milvus';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { cliEnv, deleteSubjects, jsonOf, runCli } from './support/cli.js';
import {
  connectKafka,
  type PipelineNames,
  stageEnv,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { type RunningService, type Stage, startService } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

interface DlqListed {
  total: number;
  byReason: Record<string, number>;
  entries: Array<{
    position: string;
    reason: string;
    stage: string;
    key: string | null;
    replayCount: number;
    failed: { topic: string };
    source: { topic: string; partition: number | null; offset: string };
    headers: Record<string, string>;
  }>;
}
interface Replayed {
  replayed: Array<{ position: string; reason: string; key: string | null; target: string }>;
  alreadyReplayed: number;
  notMatching: number;
}
interface SearchResult {
  model: string;
  hits: Array<{
    productId: string;
    score: number;
    priceMinor: number | null;
    stock: number | null;
    inStock: boolean;
  }>;
}

let names: PipelineNames;
let env: Record<string, string>;
let tk: TestKafka;
let dir: string;
const services: Partial<Record<Stage, RunningService>> = {};
const milvus = createMilvusClient({ address: STACK.milvus });

// The router starts with a text limit the catalog's longest product exceeds: an operator's policy that
// sends it to the DLQ until the limit is raised, which is the fix `dlq replay` then delivers.
const STRICT_ROUTER = { FRESHET_TEXT_MAX_BYTES: '2048' };
const catalog = readFileSync(SAMPLE_CATALOG.path, 'utf8').split('\n').filter(Boolean).slice(0, 30);
const sample = catalog.map((l) => JSON.parse(l) as { productId: string; product: { title: string } });
const longProduct = {
  productId: 'p-long-manual',
  product: {
    title: 'Harbor Lantern Field Manual, Complete Edition',
    description: 'Every knot, every chart, every tide table. '.repeat(80),
    category: 'Books > Nonfiction',
    brand: 'Harbor',
    tags: ['book'],
    attributes: {},
    price: { amountMinor: 4500, currency: 'USD' },
    stock: 12,
    imageUrl: null,
  },
};
const negativePrice = {
  productId: 'p-negative-price',
  product: {
    ...longProduct.product,
    title: 'Broken price tag',
    description: 'short',
    price: { amountMinor: -100, currency: 'USD' },
  },
};

before(async () => {
  await ensureStack();
  names = uniqueNames('cli');
  env = cliEnv(names);
  tk = await connectKafka(names);
  dir = mkdtempSync(join(tmpdir(), 'freshet-cli-'));
});

after(async () => {
  await Promise.all(Object.values(services).map((s) => s.kill9()));
  if (tk) {
    await tk.admin
      .deleteTopics({ topics: [names.input, names.embed, names.index, names.dlq, `${names.dlq}-replays`] })
      .catch(() => {});
    await tk.close();
  }
  if (names) await deleteSubjects([names.input, names.embed, names.index]);
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function drained(): Promise<void> {
  await waitDrained(tk, names, 120000, Object.values(services));
}

test('provision creates the topics and registers every schema BACKWARD; a second provision changes nothing', async () => {
  const first = await runCli(['provision', '--json'], env);
  assert.equal(first.code, 0, first.stderr);
  const a = jsonOf<{
    topics: { created: string[] };
    subjects: Array<{ subject: string; schema: string; id: number }>;
  }>(first);
  // connectKafka already made the four pipeline topics; provision found them and added the replay log.
  assert.deepEqual(a.topics.created, [`${names.dlq}-replays`]);
  assert.deepEqual(
    a.subjects.map((s) => `${s.subject} ${s.schema}`),
    [
      `${names.input}-value ProductEvent.v1`,
      `${names.input}-value ProductEvent.v2`,
      `${names.embed}-value EmbedRequest`,
      `${names.index}-value IndexWrite`,
    ],
  );

  const second = await runCli(['provision', '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  const b = jsonOf<typeof a>(second);
  assert.deepEqual(b.topics.created, []);
  assert.deepEqual(b.subjects, a.subjects, 'same schema ids the second time');

  const metadata = await tk.admin.fetchTopicMetadata({
    topics: [names.input, names.embed, names.index, names.dlq],
  });
  assert.deepEqual(
    metadata.topics.map((t) => t.partitions.length),
    [3, 3, 3, 3],
  );
  for (const subject of [`${names.input}-value`, `${names.embed}-value`, `${names.index}-value`]) {
    const config = (await (await fetch(`${STACK.registry}/config/${subject}`)).json()) as {
      compatibilityLevel: string;
    };
    assert.equal(config.compatibilityLevel, 'BACKWARD', subject);
  }
  const versions = (await (
    await fetch(`${STACK.registry}/subjects/${names.input}-value/versions`)
  ).json()) as number[];
  assert.equal(versions.length, 2, 'v1 and v2, each registered once');
});

test('produce reports bad lines by number; the pipeline indexes the rest and search finds a product first', async () => {
  const [router, embedder, writer] = await Promise.all([
    startService('router', stageEnv(names, 'router', STRICT_ROUTER)),
    startService('embedder', stageEnv(names, 'embedder')),
    startService('writer', stageEnv(names, 'writer')),
  ]);
  Object.assign(services, { router, embedder, writer });

  const file = join(dir, 'catalog.jsonl');
  const lines = [
    ...catalog.slice(0, 10),
    'this is not JSON',
    ...catalog.slice(10, 20),
    JSON.stringify({ productId: 'p-bad', product: { title: 42 } }),
    JSON.stringify(longProduct),
    JSON.stringify(negativePrice),
    ...catalog.slice(20),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);

  const strict = await runCli(['produce', file, '--dry-run'], env);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /catalog\.jsonl:11: not JSON/);

  const run = await runCli(['produce', file, '--on-error', 'skip', '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  const result = jsonOf<{
    produced: number;
    skipped: number;
    errors: Array<{ line: number; error: string }>;
  }>(run);
  assert.equal(result.produced, 32);
  assert.deepEqual(
    result.errors.map((e) => e.line),
    [11, 22],
  );
  assert.match(result.errors[1]!.error, /product\.title: expected a string/);

  await drained();
  const target = sample[7]!;
  const found = await runCli(['search', target.product.title, '--json', '--k', '5'], env);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(jsonOf<SearchResult>(found).hits[0]?.productId, target.productId);

  const filtered = jsonOf<SearchResult>(
    await runCli(['search', 'headphones', '--in-stock', '--max-price', '100', '--json', '--k', '20'], env),
  );
  assert.ok(filtered.hits.length > 0);
  for (const h of filtered.hits) {
    assert.ok(h.inStock && (h.stock ?? 0) > 0, `${h.productId} in stock`);
    assert.ok(h.priceMinor !== null && h.priceMinor <= 10000, `${h.productId} price ${h.priceMinor}`);
  }
  const text = await runCli(['search', target.product.title, '--k', '3'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout.split('\n')[1] ?? '', new RegExp(`${target.productId}`));
});

test('search with the default local model answers a paraphrase that shares no word with the title', async () => {
  // The pipeline above indexed the first 30 sample products with the local model (no key, no provider set).
  const dumbbells = sample.find((s) => s.product.title.startsWith('Summitry Go 5 Adjustable Dumbbell Set'));
  assert.ok(dumbbells, 'the sample catalog starts with the dumbbell set');
  const found = jsonOf<SearchResult>(
    await runCli(['search', 'weights for home workouts', '--json', '--k', '3'], env),
  );
  assert.equal(found.model, 'all-minilm-l6-v2-q-mean48+lex');
  assert.equal(found.hits[0]?.productId, dumbbells.productId);
});

test('dlq list and show print the router-DLQd records with reason, stage and source position', async () => {
  const list = await runCli(['dlq', 'list', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  const listed = jsonOf<DlqListed>(list);
  assert.deepEqual(listed.byReason, { FRESHET_TEXT_TOO_LONG: 1, FRESHET_PRICE_INVALID: 1 });
  const long = listed.entries.find((e) => e.key === longProduct.productId)!;
  assert.equal(long.reason, 'FRESHET_TEXT_TOO_LONG');
  assert.equal(long.stage, 'router');
  assert.equal(long.failed.topic, names.input);
  assert.equal(long.source.topic, names.input);
  assert.equal(long.replayCount, 0);
  assert.equal(long.headers[HEADER.dlqReason], 'FRESHET_TEXT_TOO_LONG');

  const show = await runCli(['dlq', 'show', long.position, '--json'], env);
  assert.equal(show.code, 0, show.stderr);
  const shown = jsonOf<{ reason: string; decoded: { value: { productId: string; type: string } } }>(show);
  assert.equal(shown.reason, 'FRESHET_TEXT_TOO_LONG');
  assert.equal(shown.decoded.value.productId, longProduct.productId);
  assert.equal(shown.decoded.value.type, 'CREATE');

  const only = jsonOf<DlqListed>(
    await runCli(['dlq', 'list', '--filter', 'reason=FRESHET_PRICE_INVALID', '--json'], env),
  );
  assert.deepEqual(
    only.entries.map((e) => e.key),
    [negativePrice.productId],
  );
  const missing = await runCli(['dlq', 'show', '0:999999'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /FRESHET_DLQ_NOT_FOUND/);
  assert.deepEqual(await getRows(milvus, names.collection, [longProduct.productId]), []);
});

test('after the fix, dlq replay indexes the fixed record, re-DLQs the still-bad one, and never sends an entry twice', async () => {
  // The fix: the router restarts with the default text limit.
  await services.router!.terminate();
  services.router = await startService('router', stageEnv(names, 'router'));

  const first = await runCli(['dlq', 'replay', '--json'], env);
  assert.equal(first.code, 0, first.stderr);
  const r1 = jsonOf<Replayed>(first);
  assert.deepEqual(
    r1.replayed.map((r) => r.key).sort(),
    [longProduct.productId, negativePrice.productId].sort(),
  );
  assert.ok(r1.replayed.every((r) => r.target === names.input));
  await drained();

  const rows = await getRows(milvus, names.collection, [longProduct.productId, negativePrice.productId]);
  assert.deepEqual(
    rows.map((r) => r.productId),
    [longProduct.productId],
  );
  const found = jsonOf<SearchResult>(await runCli(['search', longProduct.product.title, '--json'], env));
  assert.equal(found.hits[0]?.productId, longProduct.productId);

  const listed = jsonOf<DlqListed>(await runCli(['dlq', 'list', '--json'], env));
  assert.equal(listed.total, 3);
  const again = listed.entries.filter((e) => e.replayCount === 1);
  assert.equal(again.length, 1);
  assert.equal(again[0]!.key, negativePrice.productId);
  assert.equal(again[0]!.reason, 'FRESHET_PRICE_INVALID');
  const original = listed.entries.find((e) => e.key === negativePrice.productId && e.replayCount === 0)!;
  assert.equal(again[0]!.headers['freshet-replay-of'], `${names.dlq}:${original.position}`);

  // A second replay sends only the entry that is new since the first one.
  const second = jsonOf<Replayed>(await runCli(['dlq', 'replay', '--json'], env));
  assert.deepEqual(
    second.replayed.map((r) => r.position),
    [again[0]!.position],
  );
  assert.equal(second.alreadyReplayed, 2);
  const third = jsonOf<Replayed>(
    await runCli(['dlq', 'replay', '--filter', 'reason=FRESHET_TEXT_TOO_LONG', '--json'], env),
  );
  assert.deepEqual(third.replayed, []);
  assert.equal(third.alreadyReplayed, 1);
  await drained();
  const last = jsonOf<DlqListed>(await runCli(['dlq', 'list', '--json'], env));
  assert.equal(last.total, 4);
  assert.equal(Math.max(...last.entries.map((e) => e.replayCount)), 2);
});

test('status shows zero lag per stage, the DLQ size, and each stage metrics when given its URL', async () => {
  const run = await runCli(
    [
      'status',
      '--json',
      '--interval',
      '300',
      '--router-url',
      services.router!.url,
      '--embedder-url',
      services.embedder!.url,
      '--writer-url',
      services.writer!.url,
    ],
    env,
  );
  assert.equal(run.code, 0, run.stderr);
  const s = jsonOf<{
    stages: Array<{
      stage: string;
      lag: number;
      metrics: {
        ready: boolean;
        eventsPerSecond: number;
        breaker?: string;
        freshness?: { lifetime: { count: number; p50: number; p99: number } };
      };
    }>;
    dlq: { size: number };
  }>(run);
  assert.deepEqual(
    s.stages.map((x) => [x.stage, x.lag, x.metrics.ready]),
    [
      ['router', 0, true],
      ['embedder', 0, true],
      ['writer', 0, true],
    ],
  );
  assert.equal(s.dlq.size, 4);
  assert.equal(s.stages[1]!.metrics.breaker, 'closed');
  const f = s.stages[2]!.metrics.freshness!.lifetime;
  assert.ok(f.count >= 31, `freshness observations ${f.count}`);
  assert.ok(f.p50 > 0 && f.p99 >= f.p50, JSON.stringify(f));

  const down = await runCli(['status', '--writer-url', 'http://127.0.0.1:9', '--interval', '100'], env);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /problem: writer: metrics/);
});
