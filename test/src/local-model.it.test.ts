// The default `local` provider in the real pipeline (issue 15): a sentence-embedding model inferring a
// large backlog in worker threads while the embedder keeps its Kafka group membership.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { allRows, createMilvusClient, describeAlias, dropAll } from '@freshet/milvus';
import type { Product } from '@freshet/schemas';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { event } from './support/events.js';
import {
  connectKafka,
  deleteTopics,
  type PipelineNames,
  produceItems,
  startPipeline,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { metricValue, type RunningService, type Stage } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

// Short enough that an event loop blocked by one inference call would cost the embedder its membership.
const SESSION_TIMEOUT_MS = 6000;
// The whole sample catalog: at ~200 texts/s (one worker, 48 tokens, one text per inference call) it takes
// more than two session timeouts to infer on 2 cores.
const COUNT = 3000;

let names: PipelineNames;
let tk: TestKafka;
let services: Record<Stage, RunningService> | undefined;
const milvus = createMilvusClient({ address: STACK.milvus });

before(async () => {
  await ensureStack();
  names = uniqueNames('local-model');
  tk = await connectKafka(names);
  const kafka = {
    FRESHET_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    FRESHET_KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
  };
  // No provider, no key: the default, the local model. Big requests (and room for them: the local model's
  // default is 100 pending records a partition) so provider calls last longer than a session timeout
  // (checked below): were the inference on the event loop, the embedder would lose its membership.
  services = await startPipeline(names, {
    router: kafka,
    embedder: { ...kafka, FRESHET_EMBED_MAX_INPUTS: '2048', FRESHET_EMBEDDER_MAX_PENDING_RECORDS: '3000' },
    writer: kafka,
  });
});

after(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.close();
  }
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

test('the embedder keeps its group membership while the local model infers a large backlog', async () => {
  const catalog = readFileSync(SAMPLE_CATALOG.path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, COUNT)
    .map((line) => JSON.parse(line) as { productId: string; product: Product });
  const started = Date.now();
  await produceItems(
    tk,
    names.input,
    catalog.map((c) => ({ kind: 'event', event: event(c.productId, 'CREATE', 1, { product: c.product }) })),
  );

  // Sample the embedder's group while it works: one member, the same one, never rebalancing.
  const members = new Set<string>();
  const states = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { groups } = await tk.admin.describeGroups([names.groups.embedder]);
      const group = groups[0];
      if (group && group.members.length > 0) {
        states.add(group.state);
        for (const m of group.members) members.add(m.memberId);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    await waitDrained(tk, names, 600_000, Object.values(services!));
  } finally {
    sampling = false;
    await sampler;
  }
  const tookMs = Date.now() - started;

  assert.ok(tookMs > 2 * SESSION_TIMEOUT_MS, `the backlog took ${tookMs} ms: too short to prove anything`);
  // And a provider call outstanding for longer than a session timeout (over 10 s: the histogram's bucket
  // above 6 s), which an event loop blocked by inference could not have lived through.
  const metrics = await services!.embedder.metrics();
  const calls = metricValue(metrics, 'freshet_embedding_request_duration_seconds_count');
  const within = metricValue(metrics, 'freshet_embedding_request_duration_seconds_bucket', { le: '10' });
  const inputs = metricValue(metrics, 'freshet_embedding_batch_size_sum');
  assert.ok(
    calls - within > 0,
    `no provider call over 10 s among ${calls} (${inputs} inputs): too short to prove anything`,
  );
  assert.equal(members.size, 1, `embedder members seen: ${[...members].join(', ')}`);
  assert.deepEqual([...states], ['Stable']);
  assert.doesNotMatch(readFileSync(services!.embedder.logFile, 'utf8'), /group rebalancing|rebalanc/i);

  const rows = await allRows(milvus, names.collection);
  assert.equal(rows.length, COUNT);
  assert.ok(rows.every((r) => r.model === 'all-minilm-l6-v2-q-mean48+lex'));
  const collection = await describeAlias(milvus, names.collection);
  assert.equal(collection?.model?.model, 'all-minilm-l6-v2-q-mean48+lex');
  assert.equal(collection?.dimension, 768);
});
