// The freshet reindex command as a real process against the real stack, with the three stages as processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createMilvusClient, describeAlias, dropAll } from '@freshet/milvus';
import { event, product } from './support/events.js';
import {
  connectKafka,
  deleteTopics,
  produceItems,
  type StreamItem,
  startPipeline,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { REPO_ROOT, STACK } from './support/stack.js';

const names = uniqueNames('clireindex');
const milvus = createMilvusClient({ address: STACK.milvus });
const env = (dims: number) => ({
  PATH: process.env.PATH ?? '',
  FRESHET_KAFKA_BROKERS: STACK.kafka,
  FRESHET_REGISTRY_URL: STACK.registry,
  FRESHET_MILVUS_ADDRESS: STACK.milvus,
  FRESHET_TOPIC_INPUT: names.input,
  FRESHET_TOPIC_EMBED: names.embed,
  FRESHET_TOPIC_INDEX: names.index,
  FRESHET_TOPIC_DLQ: names.dlq,
  FRESHET_TOPIC_PARTITIONS: '3',
  FRESHET_COLLECTION: names.collection,
  FRESHET_ROUTER_GROUP_ID: names.groups.router,
  FRESHET_EMBEDDER_GROUP_ID: names.groups.embedder,
  FRESHET_WRITER_GROUP_ID: names.groups.writer,
  FRESHET_EMBEDDING_PROVIDER: 'local',
  FRESHET_EMBEDDING_DIMENSIONS: String(dims),
});
function cli(args: string[], e: Record<string, string>, onLine: (l: string) => void = () => {}) {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/main.js'), ...args], { env: e });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c;
    for (const l of c.toString().split('\n')) if (l) onLine(l);
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
}
after(async () => {
  await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

test('freshet reindex end to end: build, verify, swap, handover, the stages on the new dimension, search, --drop-old', async () => {
  const tk = await connectKafka(names);
  const extra = { FRESHET_EMBEDDING_PROVIDER: 'local', FRESHET_EMBEDDING_DIMENSIONS: '64' };
  let services = await startPipeline(names, { router: extra, embedder: extra, writer: extra });
  const items: StreamItem[] = Array.from({ length: 100 }, (_, n) => ({
    kind: 'event',
    event: event(`c-${n}`, 'CREATE', 1, { product: product(n) }),
  }));
  await produceItems(tk, names.input, items);
  await waitDrained(tk, names, 60000, Object.values(services));
  let stopping: Promise<unknown> | undefined;
  const r = await cli(
    ['reindex', '--model', 'freshet-local-v1', '--dimensions', '96', '--json'],
    env(64),
    (line) => {
      process.stderr.write(`[cli] ${line}\n`);
      if (line.includes('now stop the router'))
        stopping = Promise.all(Object.values(services).map((s) => s.terminate(30000)));
    },
  );
  await stopping;
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out) as { to: string; handedOver: boolean; counts: { newCount: number } };
  assert.equal(result.to, `${names.collection}_v2`);
  assert.ok(result.handedOver);
  assert.equal(result.counts.newCount, 100);
  const extra96 = { FRESHET_EMBEDDING_PROVIDER: 'local', FRESHET_EMBEDDING_DIMENSIONS: '96' };
  services = await startPipeline(names, { router: extra96, embedder: extra96, writer: extra96 });
  await produceItems(tk, names.input, [
    {
      kind: 'event',
      event: event('c-1', 'UPDATE', 2, { product: product(1, { title: 'Brand new kettle' }) }),
    },
  ]);
  await waitDrained(tk, names, 60000, Object.values(services));
  const s = await cli(['search', 'Brand new kettle', '--json', '-k', '3'], env(96));
  assert.equal(s.code, 0, s.err);
  const hits = (JSON.parse(s.out) as { hits: Array<{ productId: string }> }).hits;
  assert.equal(hits[0]?.productId, 'c-1');
  assert.equal((await describeAlias(milvus, names.collection))?.dimension, 96);
  const d = await cli(['reindex', '--drop-old', '--json'], env(96));
  assert.equal(d.code, 0, d.err);
  assert.deepEqual((JSON.parse(d.out) as { dropped: string[] }).dropped, [`${names.collection}_v1`]);
  await Promise.all(Object.values(services).map((x) => x.kill9()));
  await deleteTopics(tk, names);
  await tk.close();
});
