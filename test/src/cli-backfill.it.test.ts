// `freshet backfill` as a real process against the real Kafka and registry: rate limit, kill -9, resume
// with no gap, Java-compatible partitioning by productId.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { partitionForKey } from '@freshet/kafka';
import type { ProductEvent } from '@freshet/schemas';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { cliEnv, deleteSubjects, jsonOf, runCli, spawnCli } from './support/cli.js';
import { connectKafka, type PipelineNames, type TestKafka, uniqueNames } from './support/pipeline.js';
import { waitFor } from './support/ports.js';
import { ensureStack } from './support/stack.js';

const LINES = 300;
const RATE = 100;

let names: PipelineNames;
let env: Record<string, string>;
let tk: TestKafka;
let dir: string;
let file: string;
let ids: string[];

before(async () => {
  await ensureStack(['kafka', 'registry']);
  names = uniqueNames('backfill');
  env = cliEnv(names);
  tk = await connectKafka(names);
  dir = mkdtempSync(join(tmpdir(), 'freshet-backfill-'));
  file = join(dir, 'catalog.jsonl');
  const lines = readFileSync(SAMPLE_CATALOG.path, 'utf8').split('\n').filter(Boolean).slice(0, LINES);
  ids = lines.map((l) => (JSON.parse(l) as { productId: string }).productId);
  writeFileSync(file, `${lines.join('\n')}\n`);
});

after(async () => {
  if (tk) {
    await tk.admin
      .deleteTopics({ topics: [names.input, names.embed, names.index, names.dlq] })
      .catch(() => {});
    await tk.close();
  }
  if (names) await deleteSubjects([names.input, names.embed, names.index]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Checkpoint {
  lastLine: number;
  produced: number;
  done: boolean;
}

/** Every record of the input topic, decoded, with its partition. */
async function inputRecords(): Promise<Array<{ partition: number; key: string; event: ProductEvent }>> {
  const total = (await tk.admin.fetchTopicOffsets(names.input)).reduce((sum, o) => sum + Number(o.high), 0);
  const out: Array<{ partition: number; key: string; event: ProductEvent }> = [];
  const groupId = `t.read-${randomUUID()}`;
  const consumer = tk.kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: names.input, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const decoded = await tk.codec.decode<ProductEvent>(message.value!);
      out.push({ partition, key: message.key!.toString(), event: decoded.value });
    },
  });
  await waitFor('input topic read', () => out.length >= total, 60000, 100);
  await consumer.disconnect();
  await tk.admin.deleteGroups([groupId]).catch(() => {});
  return out;
}

test('a backfill killed mid-way resumes after its last acknowledged line: every product arrives, none twice beyond one batch', async () => {
  const checkpoint = `${file}.freshet-checkpoint.json`;
  const child = spawnCli(['backfill', file, '--rate', String(RATE), '--json'], env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Kill it once it has acknowledged a few batches but is far from done (300 lines at 100/s ≈ 3 s).
  await waitFor(
    'checkpoint past line 60',
    () =>
      existsSync(checkpoint) && (JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint).lastLine >= 60,
    30000,
    20,
  );
  child.kill('SIGKILL');
  await exited;
  const killedAt = JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint;
  assert.ok(killedAt.lastLine < LINES && !killedAt.done, `killed at line ${killedAt.lastLine}`);

  // Without --resume an existing checkpoint is refused rather than silently re-sent or skipped.
  const refused = await runCli(['backfill', file], env);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /pass --resume to continue or --restart/);

  const resumed = await runCli(['backfill', file, '--rate', String(RATE), '--resume', '--json'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = jsonOf<{ produced: number; resumedFromLine: number; totalProduced: number; lastLine: number }>(
    resumed,
  );
  assert.equal(r.resumedFromLine, killedAt.lastLine + 1);
  assert.equal(r.lastLine, LINES);
  assert.equal(r.produced, LINES - killedAt.lastLine);
  // Paced at 100/s in sends of 20: the remaining lines cannot have gone faster than the rate allows.
  const remaining = LINES - killedAt.lastLine;
  assert.ok(resumed.ms >= ((remaining - 20) / RATE) * 1000, `${remaining} lines in ${resumed.ms} ms`);
  const done = JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint;
  assert.deepEqual([done.lastLine, done.done], [LINES, true]);

  const records = await inputRecords();
  const seen = new Set(records.map((x) => x.key));
  assert.deepEqual(
    ids.filter((id) => !seen.has(id)),
    [],
    'no gap',
  );
  // At most the one batch in flight at the kill is sent twice, and it is the same events (same eventIds).
  assert.ok(records.length <= LINES + 20, `${records.length} records`);
  const byId = new Map<string, string>();
  for (const x of records) {
    assert.equal(x.event.type, 'CREATE');
    assert.equal(x.event.productId, x.key);
    assert.equal(x.partition, partitionForKey(x.key, 3), `${x.key} on its Java-partitioner partition`);
    const previous = byId.get(x.key);
    if (previous) assert.equal(x.event.eventId, previous, `${x.key} re-sent with the same eventId`);
    byId.set(x.key, x.event.eventId);
  }

  const again = await runCli(['backfill', file, '--resume', '--json'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(jsonOf<{ produced: number }>(again).produced, 0, 'a finished backfill resumes to nothing');
});
