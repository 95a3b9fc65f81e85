// `freshet reindex` as a real process against the real stack, with the three stages as real processes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMilvusClient, describeAlias, dropAll, listPhysical } from '@freshet/milvus';
import { cliEnv, runCli, spawnCli } from './support/cli.js';
import { event, product } from './support/events.js';
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
import type { RunningService, Stage } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

const hashed = (dimension: number) => ({
  FRESHET_EMBEDDING_PROVIDER: 'hash',
  FRESHET_EMBEDDING_DIMENSIONS: String(dimension),
});
const stages = (dimension: number) => ({
  router: hashed(dimension),
  embedder: hashed(dimension),
  writer: hashed(dimension),
});

let names: PipelineNames;
let tk: TestKafka;
let services: Partial<Record<Stage, RunningService>> = {};
const milvus = createMilvusClient({ address: STACK.milvus });

before(async () => {
  await ensureStack();
  names = uniqueNames('clireindex');
  tk = await connectKafka(names);
});

after(async () => {
  await Promise.all(Object.values(services).map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.admin.deleteGroups([`${names.collection}.reindex.v2`]).catch(() => {});
    await tk.close();
  }
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

test('freshet reindex: interrupted before the handover it rolls back; then build, verify, swap, handover; the stages restarted on the new dimension; search; --drop-old', async () => {
  services = await startPipeline(names, stages(64));
  const creates = Array.from(
    { length: 100 },
    (_, n): StreamItem => ({ kind: 'event', event: event(`c-${n}`, 'CREATE', 1, { product: product(n) }) }),
  );
  await produceItems(tk, names.input, creates);
  await waitDrained(tk, names, 60_000, Object.values(services));

  // Interrupted before the handover (the stages were not stopped): the alias goes back, the new collection goes.
  const interrupted = spawnCli(['reindex', '--dimensions', '96'], cliEnv(names, hashed(64)));
  let interruptedErr = '';
  let sent = false;
  interrupted.stderr?.on('data', (c: Buffer) => {
    interruptedErr += c.toString('utf8');
    if (!sent && interruptedErr.includes('now stop the router')) sent = interrupted.kill('SIGINT');
  });
  const interruptedCode = await new Promise<number | null>((resolve) => interrupted.once('exit', resolve));
  assert.equal(interruptedCode, 1, interruptedErr);
  assert.match(interruptedErr, /rolled back: .* is on .*_v1 again, .*_v2 dropped/);
  assert.deepEqual(await listPhysical(milvus, names.collection), [1]);
  assert.equal((await describeAlias(milvus, names.collection))?.dimension, 64);
  for (const s of Object.values(services)) assert.equal(s.process.exitCode, null, `${s.stage} kept running`);

  // The operator's part of the handover: stop the three stages when the command asks for it.
  const child = spawnCli(['reindex', '--dimensions', '96', '--json'], cliEnv(names, hashed(64)));
  let stdout = '';
  let stderr = '';
  let stopped: Promise<unknown> | undefined;
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (!stopped && stderr.includes('now stop the router, embedder and writer'))
      stopped = Promise.all(Object.values(services).map((s) => s.terminate(30_000)));
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.deepEqual(await stopped, [0, 0, 0]);
  const result = JSON.parse(stdout) as {
    from: string;
    to: string;
    handedOver: boolean;
    model: { dimension: number };
    counts: { newCount: number; oldCount: number };
  };
  assert.equal(result.from, `${names.collection}_v1`);
  assert.equal(result.to, `${names.collection}_v2`);
  assert.equal(result.model.dimension, 96);
  assert.ok(result.handedOver);
  assert.deepEqual(result.counts, { ...result.counts, newCount: 100, oldCount: 100 });
  assert.match(
    stderr,
    /handed over: start router, embedder and writer with .*FRESHET_EMBEDDING_DIMENSIONS=96/,
  );

  services = await startPipeline(names, stages(96));
  await produceItems(tk, names.input, [
    {
      kind: 'event',
      event: event('c-1', 'UPDATE', 2, { product: product(1, { title: 'Brand new kettle' }) }),
    },
  ]);
  await waitDrained(tk, names, 60_000, Object.values(services));
  const search = await runCli(['search', 'Brand new kettle', '--json', '-k', '3'], cliEnv(names, hashed(96)));
  assert.equal(search.code, 0, search.stderr);
  assert.equal(
    (JSON.parse(search.stdout) as { hits: Array<{ productId: string }> }).hits[0]?.productId,
    'c-1',
  );
  assert.equal((await describeAlias(milvus, names.collection))?.dimension, 96);

  const drop = await runCli(['reindex', '--drop-old', '--json'], cliEnv(names, hashed(96)));
  assert.equal(drop.code, 0, drop.stderr);
  assert.deepEqual((JSON.parse(drop.stdout) as { dropped: string[] }).dropped, [`${names.collection}_v1`]);
  assert.deepEqual(await listPhysical(milvus, names.collection), [2]);
  const usage = await runCli(['reindex'], cliEnv(names, hashed(96)));
  assert.equal(usage.code, 2, 'no model, dimension, template or --drop-old is a usage error');
});
