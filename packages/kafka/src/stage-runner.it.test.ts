import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createLogger, createMetrics } from '@freshet/telemetry';
import { type Admin, type Kafka, Partitioners } from 'kafkajs';
import { createKafka } from './client.js';
import { groupLag } from './lag.js';
import { type BatchHandler, type StageRecord, StageRunner, type StageRunnerOptions } from './stage-runner.js';
import { ensureTopics } from './topics.js';

const brokers = (process.env.FRESHET_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger({
  service: 'kafka-it',
  level: (process.env.IT_LOG_LEVEL as 'info' | undefined) ?? 'silent',
});
let kafka: Kafka;
let admin: Admin;

before(async () => {
  kafka = createKafka(
    {
      brokers,
      clientId: 'kafka-it',
      ssl: false,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 10000,
      heartbeatIntervalMs: 1000,
    },
    logger,
  );
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
});

async function freshTopics(partitions: number) {
  const id = randomBytes(4).toString('hex');
  const topics = {
    input: `it.${id}.in`,
    embed: `it.${id}.embed`,
    index: `it.${id}.index`,
    dlq: `it.${id}.dlq`,
    partitions,
    replicationFactor: 1,
  };
  await ensureTopics(admin, topics);
  return topics;
}

async function produceKeyed(topic: string, count: number): Promise<void> {
  // Idempotent: a fresh topic's first produce can meet "not the leader" for one partition, and kafkajs then
  // resends the whole request, writing the partitions that had succeeded twice (seen: 812 records for 600).
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const before = await recordsIn(topic);
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i % 17}`, value: String(i) }));
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
  assert.equal((await recordsIn(topic)) - before, count, 'the input topic holds each record once');
}

async function recordsIn(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

function runner(
  topic: string,
  groupId: string,
  handler: BatchHandler,
  over: Partial<StageRunnerOptions> & { maxBytesPerPartition?: number } = {},
) {
  const { maxBytesPerPartition, ...rest } = over;
  return new StageRunner({
    stage: 'it',
    kafka,
    groupId,
    topic,
    handler,
    logger,
    metrics: createMetrics('it'),
    partitionsConcurrency: 3,
    retry: { baseMs: 10, maxMs: 50 },
    consumer: {
      sessionTimeoutMs: 10000,
      heartbeatIntervalMs: 1000,
      maxWaitTimeInMs: 50,
      ...(maxBytesPerPartition ? { maxBytesPerPartition } : {}),
    },
    ...rest,
  });
}

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('ensureTopics gives internal topics the input topic’s partition count and is idempotent', async () => {
  const topics = await freshTopics(3);
  const again = await ensureTopics(admin, { ...topics, partitions: 9 });
  assert.deepEqual(again.created, []);
  const meta = await admin.fetchTopicMetadata({
    topics: [topics.input, topics.embed, topics.index, topics.dlq],
  });
  assert.deepEqual(
    meta.topics.map((t) => t.partitions.length),
    [3, 3, 3, 3],
  );
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});

test('a failing batch is retried in place, per-key order holds, and offsets are committed only after success', async () => {
  const topics = await freshTopics(3);
  await produceKeyed(topics.input, 600);
  const seen: StageRecord[] = [];
  let failures = 0;
  const groupId = `it-${randomBytes(3).toString('hex')}`;
  const r = runner(topics.input, groupId, async (records) => {
    if (failures < 2) {
      failures++;
      throw new Error('dependency down');
    }
    seen.push(...records);
  });
  await r.start();
  await until('all records handled', () => seen.length >= 600);
  await until('committed', async () =>
    (await groupLag(admin, groupId, topics.input)).every((p) => p.lag === 0),
  );
  await r.stop(5000);
  assert.equal(failures, 2);
  assert.equal(seen.length, 600, 'each record handled exactly once after the retries');
  const byKey = new Map<string, number[]>();
  for (const rec of seen) {
    const key = rec.key!.toString();
    byKey.set(key, [...(byKey.get(key) ?? []), Number(rec.value!.toString())]);
  }
  for (const [key, values] of byKey) {
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      `order of ${key}`,
    );
  }
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});

test('stopping during an outage abandons the batch without committing it', async () => {
  const topics = await freshTopics(1);
  await produceKeyed(topics.input, 10);
  const groupId = `it-${randomBytes(3).toString('hex')}`;
  let attempts = 0;
  const r = runner(topics.input, groupId, async () => {
    attempts++;
    throw new Error('outage');
  });
  await r.start();
  await until('retrying', () => attempts >= 2);
  const started = Date.now();
  await r.stop(5000);
  assert.ok(Date.now() - started < 5000, 'stop does not wait out the outage');
  const lag = await groupLag(admin, groupId, topics.input);
  assert.equal(lag[0]?.lag, 10, 'nothing committed');
  // A new member of the group gets the same records again.
  const redelivered: StageRecord[] = [];
  const r2 = runner(topics.input, groupId, async (records) => {
    redelivered.push(...records);
  });
  await r2.start();
  await until('redelivery', () => redelivered.length >= 10);
  await r2.stop(5000);
  assert.equal(redelivered[0]?.offset, '0');
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});

test('a rebalance during an outage drops the retrying batch uncommitted, and the group splits promptly', async () => {
  const topics = await freshTopics(2);
  await produceKeyed(topics.input, 40);
  const groupId = `it-${randomBytes(3).toString('hex')}`;
  let outage = true;
  let attempts = 0;
  const seenByB: StageRecord[] = [];
  const a = runner(topics.input, groupId, async () => {
    attempts++;
    if (outage) throw new Error('dependency down');
  });
  await a.start();
  await until('A retrying both partitions', () => attempts >= 4);
  // Without dropping its batches, A could not rejoin until they succeed: the rebalance would wait for
  // the broker's rebalance timeout (60 s) and then evict A.
  const joinedAt = Date.now();
  const b = runner(topics.input, groupId, async (records) => {
    seenByB.push(...records);
    if (outage) throw new Error('dependency down');
  });
  await b.start();
  await until(
    'both members hold a partition',
    () => a.assignment().length === 1 && b.assignment().length === 1,
    30000,
  );
  assert.ok(Date.now() - joinedAt < 20000, `the group split in ${Date.now() - joinedAt} ms`);
  const lag = await groupLag(admin, groupId, topics.input);
  assert.equal(
    lag.reduce((s, p) => s + p.lag, 0),
    40,
    'nothing committed for the dropped batches',
  );
  outage = false;
  await until('drained', async () =>
    (await groupLag(admin, groupId, topics.input)).every((p) => p.lag === 0),
  );
  assert.ok(seenByB.length > 0, 'B got a partition and its records');
  await Promise.all([a.stop(5000), b.stop(5000)]);
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});

test('pending batches: the fetch goes on, commits follow only the leading run of finished batches', async (t) => {
  const topics = await freshTopics(1);
  // Ten produce calls: ten record batches, which small fetches hand over one or a few at a time.
  for (let i = 0; i < 10; i++) await produceKeyed(topics.input, 20);
  const groupId = `it-${randomBytes(3).toString('hex')}`;
  // Each batch's work finishes only when the test says so, in reverse order of arrival.
  const batches: Array<{ first: number; last: number; finish: () => void }> = [];
  // Small fetches, so the 200 records come as several batches.
  const r = runner(
    topics.input,
    groupId,
    async (records) => {
      let finish!: () => void;
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      batches.push({ first: Number(records[0]!.offset), last: Number(records.at(-1)!.offset), finish });
      return { done };
    },
    { partitionsConcurrency: 1, maxBytesPerPartition: 1024, maxPendingRecords: 10_000 },
  );
  await r.start();
  // A failed assertion must not leave the consumer running (the test file would never exit).
  t.after(() => r.stop(1000));
  await until('every record handed on while none finished', () => batches.at(-1)?.last === 199);
  assert.ok(batches.length >= 3, `${batches.length} batches`);
  const committed = async () => (await groupLag(admin, groupId, topics.input))[0]!.committed;
  // Finishing all but the first commits nothing: the first batch still holds the partition's commit.
  for (const b of batches.slice(1).reverse()) b.finish();
  await new Promise((res) => setTimeout(res, 500));
  assert.ok(Number(await committed()) <= 0, `committed ${await committed()} before the first batch finished`);
  batches[0]!.finish();
  await until('everything committed', async () => Number(await committed()) === 200);
  await r.stop(5000);
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});

test('a pending batch that fails is fetched again from its first offset; a stop waits for pending work', async (t) => {
  const topics = await freshTopics(1);
  await produceKeyed(topics.input, 60);
  const groupId = `it-${randomBytes(3).toString('hex')}`;
  const handled: number[] = [];
  let failed = false;
  let release!: () => void;
  const last = new Promise<void>((resolve) => {
    release = resolve;
  });
  const r = runner(
    topics.input,
    groupId,
    async (records) => {
      const offsets = records.map((x) => Number(x.offset));
      handled.push(...offsets);
      if (!failed) {
        failed = true;
        return { done: Promise.reject(new Error('the API refused the whole batch')) };
      }
      // After the redo, the batch holding the last record finishes only when the test releases it.
      return { done: offsets.includes(59) ? last : Promise.resolve() };
    },
    { partitionsConcurrency: 1 },
  );
  await r.start();
  t.after(() => r.stop(1000));
  await until('the failed batch came again', () => handled.filter((o) => o === 0).length === 2);
  await until(
    'the redo reached the end',
    () => handled.includes(59) && handled.lastIndexOf(59) > handled.indexOf(0),
  );
  const lagBefore = (await groupLag(admin, groupId, topics.input))[0]!;
  assert.notEqual(lagBefore.committed, 60, 'the batch still pending is not committed');
  // SIGTERM-like stop with a batch still pending: it waits for it and commits it.
  const stopping = r.stop(10_000);
  setTimeout(release, 300);
  await stopping;
  assert.equal((await groupLag(admin, groupId, topics.input))[0]!.committed, 60);
  await admin.deleteTopics({ topics: [topics.input, topics.embed, topics.index, topics.dlq] });
});
