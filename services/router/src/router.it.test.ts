// The router as a real child process against the real local Kafka and registry (deploy/local/up kafka
// registry): bad input to the DLQ with its original bytes and reason, per-key order, dedup, tombstones,
// metrics, graceful stop with commit, and a registry outage that is retried, never dead-lettered.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadRouterConfig } from '@freshet/config';
import {
  type Admin,
  createKafka,
  createOrderedProducer,
  groupLag,
  HEADER,
  headerString,
  type Kafka,
  type Message,
  type Producer,
  partitionForKey,
  type StageRecord,
} from '@freshet/kafka';
import {
  AvroCodec,
  contentHash,
  type EmbedRequest,
  embeddingText,
  type Product,
  type ProductEvent,
  UNKNOWN_VERSION,
} from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import { badInputs, pollUntil } from '@freshet/testkit';
import { routeOptions } from './route.js';

const BROKERS = process.env.FRESHET_KAFKA_BROKERS ?? '127.0.0.1:9092';
const REGISTRY = process.env.FRESHET_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const PARTITIONS = 3;
const GRACE_MS = 10_000;
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const DECODE_REASONS = new Set(['FRESHET_NOT_AVRO', 'FRESHET_UNKNOWN_SCHEMA', 'FRESHET_AVRO_DECODE']);

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const codec = new AvroCodec({ url: REGISTRY });
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  kafka = createKafka(
    {
      brokers: BROKERS.split(','),
      clientId: 'router-it',
      ssl: false,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 10000,
      heartbeatIntervalMs: 1000,
    },
    createLogger({ service: 'router-it', level: 'silent' }),
  );
  admin = kafka.admin();
  await admin.connect();
  producer = createOrderedProducer(kafka);
  await producer.connect();
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await producer.disconnect();
  await admin.disconnect();
});

test('the router forwards good events in per-key order, dead-letters each bad input with its reason and original bytes, drops duplicates, and stops cleanly with everything committed', async () => {
  const run = fresh();
  let router = await RouterProcess.start(run.env);
  const route = routeOptions(loadRouterConfig(run.env));
  const v1 = await codec.register(run.topics.input, 'ProductEvent.v1');
  const v2 = await codec.register(run.topics.input, 'ProductEvent.v2');
  assert.notEqual(v1, v2);
  const encodeV1 = (e: ProductEvent) => codec.encodeWith(v1, e);

  // 1. Good events of two schema versions, an in-batch duplicate, price/stock, a tombstone, a keyless tombstone.
  const a1 = event('p-a', 'CREATE', 1, { product: product('Áo khoác gió', 'Chống nước, nhẹ') });
  const a2 = event('p-a', 'UPDATE', 2, { product: product('Áo khoác gió 2', 'Chống nước'), locale: 'vi-VN' });
  const a3 = event('p-a', 'PRICE_CHANGE', 3, { price: { amountMinor: 1990, currency: 'VND' } });
  const a4 = event('p-a', 'STOCK_UPDATE', 4, { stock: 0 });
  const b1 = event('p-b', 'CREATE', 1, { product: product('Trail runner', 'Light shoe') });
  const a1Bytes = await encodeV1(a1);
  const b1Bytes = await encodeV1(b1);
  const a2Bytes = await codec.encodeWith(v2, a2);
  await send(run.topics.input, [
    good('p-a', a1Bytes, a1),
    good('p-a', a2Bytes, a2),
    good('p-a', a2Bytes, a2), // same eventId in the same batch
    good('p-a', await encodeV1(a3), a3),
    good('p-a', await encodeV1(a4), a4),
    good('p-b', b1Bytes, b1),
    { key: 'p-b', value: null, headers: { 'x-test-case': 'tombstone' } },
    { key: null, value: null, headers: { 'x-test-case': 'keyless-tombstone' } },
  ]);

  // 2. Every bad input of packages/testkit, each followed by a good event of the same key.
  const bad = badInputs();
  const followUps = new Map<string, ProductEvent>();
  const badMessages: Message[] = [];
  for (const b of bad) {
    const next = event(b.key, 'CREATE', 1, {
      product: product(`After ${b.case}`, 'the partition keeps moving'),
    });
    followUps.set(b.key, next);
    badMessages.push({
      key: b.key,
      value: await b.value(encodeV1),
      headers: { 'x-test-case': b.case, traceparent: traceparent(b.key) },
    });
    badMessages.push(good(b.key, await encodeV1(next), next));
  }
  await send(run.topics.input, badMessages);
  await waitCommitted(run, 'the first two sends');

  // 3. Redelivered events in a later batch: the dedup window drops them; a new event still passes.
  const a5 = event('p-a', 'UPDATE', 5, { product: product('Áo khoác gió 3', 'Chống nước') });
  await send(run.topics.input, [
    good('p-a', a1Bytes, a1),
    good('p-b', b1Bytes, b1),
    good('p-a', await encodeV1(a5), a5),
  ]);
  await waitCommitted(run, 'the redeliveries');

  const input = await readTopic(run.topics.input);
  const embed = await readTopic(run.topics.embed);
  const dlq = await readTopic(run.topics.dlq);
  const requests = await Promise.all(embed.map(async (r) => ({ r, req: await decodeRequest(r) })));

  // Exactly the good, deduplicated events, in per-key order.
  const expected = new Map<string, string[]>([
    ['p-a', [a1, a2, a3, a4, a5].map((e) => e.eventId)],
    ['p-b', [b1.eventId, 'tombstone']],
    ...[...followUps].map(([key, e]) => [key, [e.eventId]] as [string, string[]]),
  ]);
  const actual = new Map<string, string[]>();
  for (const { r, req } of requests) {
    assert.equal(r.key?.toString(), req.productId, 'embed records are keyed by productId');
    const id = req.eventId.startsWith('tombstone-') ? 'tombstone' : req.eventId;
    actual.set(req.productId, [...(actual.get(req.productId) ?? []), id]);
  }
  assert.deepEqual(sorted(actual), sorted(expected));

  const byId = new Map(requests.map(({ r, req }) => [req.eventId, { r, req }]));
  const inputAt = new Map(input.map((r) => [`${r.partition}:${r.offset}`, r]));
  for (const e of [a1, a2, a5, b1, ...followUps.values()]) {
    const { r, req } = byId.get(e.eventId)!;
    const text = embeddingText(e.product!, route);
    assert.equal(req.text, text, `${e.eventId} text`);
    assert.equal(req.contentHash, contentHash(text, route));
    assert.doesNotMatch(text, /1990|VND|12900/, 'price never reaches the text');
    assert.equal(req.templateVersion, 2);
    assert.equal(req.version, e.version);
    assert.equal(req.occurredAt, e.occurredAt);
    assert.ok(req.routedAt >= e.occurredAt);
    // traceparent: a child of the producer's trace; source headers: the input record it came from.
    assert.equal(traceId(headerString(r.headers, HEADER.traceparent)), traceId(traceparent(e.eventId)));
    const source = inputAt.get(
      `${headerString(r.headers, HEADER.sourcePartition)}:${headerString(r.headers, HEADER.sourceOffset)}`,
    );
    assert.equal(headerString(r.headers, HEADER.sourceTopic), run.topics.input);
    assert.equal(source?.key?.toString(), e.productId);
  }
  assert.equal(byId.get(a1.eventId)!.req.locale, null, 'a v1 event has no locale');
  assert.equal(byId.get(a2.eventId)!.req.locale, 'vi-VN', 'a v2 event keeps its locale');
  for (const e of [a3, a4]) {
    const { req } = byId.get(e.eventId)!;
    assert.equal(req.text, null, `${e.type} has no text`);
    assert.equal(req.contentHash, null);
  }
  assert.deepEqual({ ...byId.get(a3.eventId)!.req.price }, { amountMinor: 1990, currency: 'VND' });
  assert.equal(byId.get(a4.eventId)!.req.stock, 0);

  const tombstone = requests.find(({ req }) => req.productId === 'p-b' && req.type === 'DELETE');
  assert.ok(tombstone, 'the tombstone is forwarded as a DELETE');
  const tombstoneSource = input.find((r) => r.value === null && r.key?.toString() === 'p-b')!;
  assert.equal(tombstone.req.version, UNKNOWN_VERSION);
  assert.equal(tombstone.req.occurredAt, Number(tombstoneSource.timestamp));
  assert.equal(tombstone.req.text, null);
  assert.match(
    headerString(tombstone.r.headers, HEADER.traceparent) ?? '',
    /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/,
  );

  // Each bad input in the DLQ: original key, bytes and headers, plus the reason and where it came from.
  assert.equal(dlq.length, bad.length + 1);
  const letters = new Map(dlq.map((r) => [headerString(r.headers, 'x-test-case'), r]));
  for (const b of bad) {
    const letter = letters.get(b.case);
    assert.ok(letter, `${b.case} is in the DLQ`);
    assert.equal(headerString(letter.headers, HEADER.dlqReason), b.reason, b.case);
    assert.equal(letter.key?.toString(), b.key);
    const original = inputAt.get(
      `${headerString(letter.headers, HEADER.dlqPartition)}:${headerString(letter.headers, HEADER.dlqOffset)}`,
    );
    assert.equal(
      headerString(original?.headers, 'x-test-case'),
      b.case,
      'the DLQ points at the original record',
    );
    assert.ok(letter.value?.equals(original!.value!), `${b.case}: the original value bytes`);
    assert.equal(
      headerString(letter.headers, HEADER.traceparent),
      traceparent(b.key),
      'original headers kept',
    );
    assert.equal(headerString(letter.headers, HEADER.dlqStage), 'router');
    assert.equal(headerString(letter.headers, HEADER.dlqTopic), run.topics.input);
    assert.ok((headerString(letter.headers, HEADER.dlqMessage) ?? '').length > 0);
  }
  const keyless = letters.get('keyless-tombstone');
  assert.equal(headerString(keyless?.headers, HEADER.dlqReason), 'FRESHET_ID_EMPTY');
  assert.equal(keyless?.value, null);

  // /metrics agree with what reached the topics.
  const metrics = await router.metrics();
  const counts = new Map<string, number>();
  const inc = (k: string, n = 1) => counts.set(k, (counts.get(k) ?? 0) + n);
  inc('CREATE/forwarded', 1 + 1 + followUps.size);
  inc('UPDATE/forwarded', 2);
  inc('PRICE_CHANGE/forwarded');
  inc('STOCK_UPDATE/forwarded');
  inc('DELETE/forwarded');
  inc('UPDATE/duplicate');
  inc('CREATE/duplicate', 2);
  inc('DELETE/dlq');
  for (const b of bad) inc(`${DECODE_REASONS.has(b.reason) ? 'UNKNOWN' : b.event?.type}/dlq`);
  assert.deepEqual(sorted(metrics.series('freshet_events_total', ['type', 'outcome'])), sorted(counts));
  const reasons = new Map<string, number>([['FRESHET_ID_EMPTY', 1]]);
  for (const b of bad) reasons.set(b.reason, (reasons.get(b.reason) ?? 0) + 1);
  assert.deepEqual(sorted(metrics.series('freshet_dlq_total', ['reason'])), sorted(reasons));

  // SIGTERM: exit 0 within the grace period with every offset committed ...
  const stopped = await router.stop();
  assert.equal(stopped.code, 0, `exit code (signal ${stopped.signal})`);
  assert.ok(stopped.ms < GRACE_MS, `stopped in ${stopped.ms} ms`);
  for (const p of await groupLag(admin, run.groupId, run.topics.input))
    assert.equal(p.lag, 0, `partition ${p.partition}`);

  // ... so a restart in the same group consumes nothing old: only one new sentinel per partition arrives.
  router = await RouterProcess.start(run.env);
  const sentinels = sentinelKeys().map((key) =>
    event(key, 'CREATE', 1, { product: product('Sentinel', key) }),
  );
  await send(
    run.topics.input,
    await Promise.all(sentinels.map(async (e) => good(e.productId, await encodeV1(e), e))),
  );
  await waitCommitted(run, 'the sentinels');
  const after = await readTopic(run.topics.embed);
  assert.equal(after.length, embed.length + sentinels.length, 'nothing was consumed twice after the restart');
  assert.equal((await readTopic(run.topics.dlq)).length, dlq.length);
  assert.equal((await router.stop()).code, 0);
});

test('a registry outage is retried in place: nothing is dead-lettered and the router catches up when it is back', async () => {
  const proxy = await TcpProxy.start(new URL(REGISTRY));
  cleanups.push(() => proxy.close());
  const run = fresh({ FRESHET_REGISTRY_URL: `http://127.0.0.1:${proxy.port}${new URL(REGISTRY).pathname}` });
  const router = await RouterProcess.start(run.env);
  // A fresh process has decoded nothing, so every ProductEvent schema id must come from the registry.
  const v1 = await codec.register(run.topics.input, 'ProductEvent.v1');
  proxy.down();

  const events = Array.from({ length: 30 }, (_, i) =>
    event(`o-${i % 4}`, 'UPDATE', i, { product: product(`Outage ${i}`, 'retried, not dead-lettered') }),
  );
  await send(
    run.topics.input,
    await Promise.all(events.map(async (e) => good(e.productId, await codec.encodeWith(v1, e), e))),
  );
  await pollUntil(() => router.logs.some((l) => l.msg === 'batch failed; retrying without commit'), {
    timeoutMs: 20_000,
    what: 'the router to retry the batch',
  });
  const ready = await router.readyz();
  assert.equal(ready.status, 503);
  assert.equal(ready.body.checks?.registry?.ok, false);
  assert.equal(await countTopic(run.topics.dlq), 0, 'no DLQ for an outage');
  assert.equal(await countTopic(run.topics.embed), 0);

  proxy.up();
  await waitCommitted(run, 'the catch-up after the registry is back', 30_000);
  const requests = await Promise.all((await readTopic(run.topics.embed)).map(decodeRequest));
  assert.deepEqual(requests.map((r) => r.eventId).sort(), events.map((e) => e.eventId).sort());
  for (const key of new Set(events.map((e) => e.productId))) {
    const versions = requests.filter((r) => r.productId === key).map((r) => r.version);
    assert.deepEqual(
      versions,
      [...versions].sort((x, y) => x - y),
      `per-key order of ${key}`,
    );
  }
  assert.equal(await countTopic(run.topics.dlq), 0);
  const retries = (await router.metrics()).series('freshet_retries_total', ['reason']);
  assert.ok((retries.get('FRESHET_REGISTRY_UNAVAILABLE') ?? 0) > 0, 'retries are counted with their reason');
  assert.equal((await router.readyz()).status, 200);
  assert.equal((await router.stop()).code, 0);
});

test('a registry that takes a request and never answers: the router waits unready naming it, and starts once it answers', async () => {
  const proxy = await TcpProxy.start(new URL(REGISTRY));
  cleanups.push(() => proxy.close());
  proxy.hang();
  const run = fresh({ FRESHET_REGISTRY_URL: `http://127.0.0.1:${proxy.port}${new URL(REGISTRY).pathname}` });
  const router = await RouterProcess.launch(run.env);
  // Each registry request times out (10 s) instead of hanging the start-up for ever with nothing logged.
  const failed = await pollUntil(
    () =>
      router.logs.find((l) => l.msg === 'cannot register EmbedRequest with the schema registry; retrying'),
    { timeoutMs: 45_000, what: 'the router to say why it cannot start' },
  );
  assert.equal(failed.code, 'FRESHET_REGISTRY_UNAVAILABLE');
  assert.match(String((failed.err as { message?: string } | undefined)?.message), /Timeout \(10000ms\)/);
  const waiting = await router.readyz();
  assert.equal(waiting.status, 503);
  assert.match(JSON.stringify(waiting.body), /FRESHET_REGISTRY_UNAVAILABLE/);

  proxy.forward();
  await router.joined();
  assert.ok(router.logs.some((l) => l.msg === 'EmbedRequest schema registered'));
  assert.equal((await router.stop()).code, 0);
});

test('a wrong variable stops the router at start with exit code 2 and a message naming it', async () => {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', FRESHET_TEXT_MAX_BYTES: 'lots', FRESHET_TEMPLATE_VERSION: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /FRESHET_TEXT_MAX_BYTES/);
});

// --- helpers ---------------------------------------------------------------------------------------

interface Run {
  topics: { input: string; embed: string; index: string; dlq: string };
  groupId: string;
  env: Record<string, string>;
}

function fresh(extra: Record<string, string> = {}): Run {
  const id = randomBytes(4).toString('hex');
  const topics = {
    input: `t-${id}.input`,
    embed: `t-${id}.embed`,
    index: `t-${id}.index`,
    dlq: `t-${id}.dlq`,
  };
  const groupId = `router-it-${id}`;
  cleanups.push(async () => {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    for (const t of [topics.input, topics.embed]) {
      await fetch(`${REGISTRY}/subjects/${t}-value`, { method: 'DELETE' }).catch(() => {});
    }
  });
  return {
    topics,
    groupId,
    env: {
      FRESHET_KAFKA_BROKERS: BROKERS,
      FRESHET_REGISTRY_URL: REGISTRY,
      FRESHET_TOPIC_INPUT: topics.input,
      FRESHET_TOPIC_EMBED: topics.embed,
      FRESHET_TOPIC_INDEX: topics.index,
      FRESHET_TOPIC_DLQ: topics.dlq,
      FRESHET_TOPIC_PARTITIONS: String(PARTITIONS),
      FRESHET_ROUTER_GROUP_ID: groupId,
      FRESHET_HTTP_HOST: '127.0.0.1',
      FRESHET_HTTP_PORT: '0',
      FRESHET_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      FRESHET_KAFKA_SESSION_TIMEOUT_MS: '10000',
      FRESHET_KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      FRESHET_RETRY_BASE_MS: '100',
      FRESHET_RETRY_MAX_MS: '1000',
      ...extra,
    },
  };
}

function product(title: string, description: string): Product {
  return {
    title,
    description,
    category: 'Apparel > Jackets',
    brand: 'Nimbus',
    tags: ['outdoor'],
    attributes: { color: 'Navy', warehouse: 'B7' },
    price: { amountMinor: 12900, currency: 'EUR' },
    stock: 5,
    imageUrl: null,
  };
}

function event(
  productId: string,
  type: ProductEvent['type'],
  version: number,
  parts: Partial<ProductEvent>,
): ProductEvent {
  return {
    eventId: randomUUID(),
    type,
    productId,
    version,
    occurredAt: Date.now(),
    product: null,
    price: null,
    stock: null,
    ...parts,
  };
}

function good(key: string, value: Buffer, e: ProductEvent): Message {
  return { key, value, headers: { traceparent: traceparent(e.eventId) } };
}

/** A deterministic W3C traceparent per id, so a record's trace can be followed through the router. */
function traceparent(id: string): string {
  const hex = Buffer.from(id).toString('hex').padEnd(48, '0');
  return `00-${hex.slice(0, 32)}-${hex.slice(32, 48)}-01`;
}

function traceId(header: string | undefined): string | undefined {
  return header?.split('-')[1];
}

function sentinelKeys(): string[] {
  const keys: string[] = [];
  for (let p = 0, i = 0; p < PARTITIONS; i++) {
    if (partitionForKey(`sentinel-${i}`, PARTITIONS) === p) {
      keys.push(`sentinel-${i}`);
      p++;
    }
  }
  return keys;
}

function sorted<V>(map: Map<string | undefined, V>): Array<[string | undefined, V]> {
  return [...map].sort(([a], [b]) => String(a).localeCompare(String(b)));
}

async function send(topic: string, messages: Message[]): Promise<void> {
  await producer.send({ topic, messages, acks: -1 });
}

async function waitCommitted(run: Run, what: string, timeoutMs = 20_000): Promise<void> {
  await pollUntil(
    async () =>
      (await groupLag(admin, run.groupId, run.topics.input)).every(
        (p) => p.end === 0 || (p.lag === 0 && p.committed === p.end),
      ),
    { timeoutMs, intervalMs: 100, what: `the router to commit ${what}` },
  );
}

async function decodeRequest(record: StageRecord): Promise<EmbedRequest> {
  return (await codec.decode<EmbedRequest>(record.value!)).value;
}

async function countTopic(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

/** Every record of `topic` up to its current high watermarks, in partition order. */
async function readTopic(topic: string): Promise<StageRecord[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  if (total === 0) return [];
  const records: StageRecord[] = [];
  const consumer = kafka.consumer({ groupId: `router-it-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key ?? null,
          value: message.value ?? null,
          headers: message.headers,
          timestamp: message.timestamp,
        });
      },
    });
    await pollUntil(() => records.length >= total, {
      timeoutMs: 20_000,
      what: `${total} records of ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((x, y) => x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)));
}

interface Metrics {
  /** Sums of a counter by the given labels (joined with '/'), for the router stage. */
  series(name: string, labels: string[]): Map<string, number>;
}

class RouterProcess {
  readonly logs: Array<Record<string, unknown> & { msg?: string }> = [];
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private port = 0;

  private constructor(private readonly child: ChildProcess) {
    this.exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.logs.push({ msg: line });
      }
    });
    child.stderr!.on('data', (d: Buffer) => this.logs.push({ msg: d.toString(), stderr: true }));
    cleanups.push(async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  static async start(env: Record<string, string>): Promise<RouterProcess> {
    const router = await RouterProcess.launch(env);
    await router.joined();
    return router;
  }

  /** Started and listening, not necessarily ready. */
  static async launch(env: Record<string, string>): Promise<RouterProcess> {
    const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const router = new RouterProcess(child);
    const listening = await pollUntil(() => router.logs.find((l) => l.msg === 'health server listening'), {
      timeoutMs: 30_000,
      what: `the router to listen (logs: ${JSON.stringify(router.logs.slice(-3))})`,
    });
    router.port = listening.port as number;
    return router;
  }

  /** Ready with partitions assigned: the group has settled and fetching has started. */
  async joined(): Promise<void> {
    await pollUntil(
      async () => {
        const r = await this.readyz();
        return r.status === 200 && /^[1-9]\d* partitions assigned/.test(r.body.checks?.kafka?.detail ?? '');
      },
      { timeoutMs: 30_000, what: 'the router to join its group' },
    );
  }

  async readyz(): Promise<{
    status: number;
    body: { checks?: Record<string, { ok: boolean; detail?: string }> };
  }> {
    const res = await fetch(`http://127.0.0.1:${this.port}/readyz`);
    return {
      status: res.status,
      body: (await res.json()) as { checks?: Record<string, { ok: boolean; detail?: string }> },
    };
  }

  async metrics(): Promise<Metrics> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    return {
      series(name, labels) {
        const out = new Map<string, number>();
        for (const line of text.split('\n')) {
          const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
          if (!m || m[1] !== name) continue;
          const l = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
          if (l.stage !== 'router') continue;
          const key = labels.map((k) => l[k]).join('/');
          out.set(key, (out.get(key) ?? 0) + Number(m[3]));
        }
        return out;
      },
    };
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const started = Date.now();
    this.child.kill('SIGTERM');
    const result = await this.exited;
    return { ...result, ms: Date.now() - started };
  }
}

/** A TCP proxy in front of the registry: `down()` is an outage for the router alone, not for other tests. */
class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly held = new Set<net.Socket>();
  private hanging = false;
  private server: net.Server | null = null;

  private constructor(
    private readonly target: URL,
    public port: number,
  ) {}

  static async start(target: URL): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0);
    await proxy.listen();
    return proxy;
  }

  /** Connections are accepted and never answered (a registry stuck on a request), until `forward()`. */
  hang(): void {
    this.hanging = true;
  }

  forward(): void {
    this.hanging = false;
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  down(): void {
    this.server?.close();
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  up(): Promise<void> {
    return this.listen();
  }

  async close(): Promise<void> {
    this.forward();
    this.down();
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => {
      if (this.hanging) {
        this.held.add(client);
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }
}
