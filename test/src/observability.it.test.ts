import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createMilvusClient, dropAll } from '@freshet/milvus';
import { type FakeOpenAI, startFakeOpenAI } from '@freshet/testkit';
import { event, product } from './support/events.js';
import { type CollectedSpan, type OtlpCollector, startOtlpCollector } from './support/otlp-collector.js';
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

// Sentinels for every secret a service can be given; none may appear in any log line.
const SECRETS = {
  FRESHET_EMBEDDING_API_KEY: 'sk-obs-sentinel-apikey-5f1c2d',
  FRESHET_KAFKA_SASL_PASSWORD: 'sasl-sentinel-pw-8e41b0',
  FRESHET_REGISTRY_USERNAME: 'obs-user',
  FRESHET_REGISTRY_PASSWORD: 'registry-sentinel-pw-71aa3c',
  FRESHET_MILVUS_TOKEN: 'milvus-sentinel-token-c0ffee',
};
const N_CREATES = 60;
const M_PRICES = 40;
const K_BAD = 5;

let names: PipelineNames;
let tk: TestKafka;
let fake: FakeOpenAI;
let collector: OtlpCollector;
let services: Record<Stage, RunningService>;
const milvus = createMilvusClient({ address: STACK.milvus });
const metrics: Partial<Record<Stage, string>> = {};

before(async () => {
  await ensureStack();
  names = uniqueNames('obs');
  tk = await connectKafka(names);
  // The fake answers 401 without `Bearer <key>`: indexing at all proves the key reached the API client.
  fake = await startFakeOpenAI({ apiKey: SECRETS.FRESHET_EMBEDDING_API_KEY });
  collector = await startOtlpCollector();
  const env = {
    ...SECRETS,
    FRESHET_EMBEDDING_PROVIDER: 'openai',
    FRESHET_EMBEDDING_BASE_URL: fake.url,
    FRESHET_EMBEDDING_MODEL: 'text-embedding-3-small',
    FRESHET_EMBEDDING_DIMENSIONS: '32',
    FRESHET_OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    FRESHET_LOG_LEVEL: 'debug',
    // Quick outage test: few retries per request, a short breaker reset and batch backoff.
    FRESHET_EMBED_MAX_RETRIES: '2',
    FRESHET_BREAKER_RESET_MS: '1000',
    FRESHET_RETRY_MAX_MS: '1000',
  };
  services = await startPipeline(names, { router: env, embedder: env, writer: env });
});

after(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.kill9()));
  if (tk) {
    await deleteTopics(tk, names);
    await tk.close();
  }
  await fake?.close();
  await collector?.close();
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
});

test('health endpoints: /healthz alive, /readyz names its dependency checks', async () => {
  for (const s of Object.values(services)) {
    const healthz = await fetch(`${s.url}/healthz`);
    assert.equal(healthz.status, 200, `${s.stage} /healthz`);
    const readyz = await fetch(`${s.url}/readyz`);
    const body = (await readyz.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(readyz.status, 200, `${s.stage} /readyz ${JSON.stringify(body)}`);
    assert.equal(body.status, 'ready');
    // `startup` answers from the first moment (Kafka connect retried, then the stage's composition).
    const expected =
      s.stage === 'router'
        ? ['kafka', 'registry', 'startup']
        : s.stage === 'embedder'
          ? ['kafka', 'milvus', 'startup']
          : ['kafka', 'milvus', 'startup'];
    assert.deepEqual(Object.keys(body.checks).sort(), expected, `${s.stage} readiness checks`);
    for (const [name, c] of Object.entries(body.checks)) assert.ok(c.ok, `${s.stage} ${name}`);
  }
});

test('after N creates, M price changes and K bad records each stage exposes the named series with exact counts', async () => {
  // One 5xx on the first embedding call: exactly one retry to count.
  fake.inject({ kind: 'status5xx', status: 503, requests: 1 });
  const items: StreamItem[] = [];
  for (let n = 0; n < N_CREATES; n++)
    items.push({ kind: 'event', event: event(`o-${n}`, 'CREATE', 1, { product: product(n) }) });
  for (let n = 0; n < M_PRICES; n++)
    items.push({
      kind: 'event',
      event: event(`o-${n}`, 'PRICE_CHANGE', 2, { price: { amountMinor: 500 + n, currency: 'EUR' } }),
    });
  await produceItems(tk, names.input, items);
  await tk.producer.send({
    topic: names.input,
    acks: -1,
    messages: Array.from({ length: K_BAD }, (_, i) => ({
      key: `o-${i}`,
      value: Buffer.from(`garbage ${i}`),
    })),
  });
  await waitDrained(tk, names, 90_000, Object.values(services));

  for (const s of Object.values(services)) metrics[s.stage] = await s.metrics();
  const router = metrics.router!;
  const embedder = metrics.embedder!;
  const writer = metrics.writer!;
  const count = (text: string, name: string, labels: Record<string, string> = {}) =>
    metricValue(text, name, labels);

  // Events by stage, type and outcome.
  assert.equal(
    count(router, 'freshet_events_total', { stage: 'router', type: 'CREATE', outcome: 'forwarded' }),
    N_CREATES,
  );
  assert.equal(
    count(router, 'freshet_events_total', { stage: 'router', type: 'PRICE_CHANGE', outcome: 'forwarded' }),
    M_PRICES,
  );
  assert.equal(count(router, 'freshet_events_total', { stage: 'router', outcome: 'dlq' }), K_BAD);
  assert.equal(count(router, 'freshet_dlq_total', { stage: 'router', reason: 'FRESHET_NOT_AVRO' }), K_BAD);
  assert.equal(
    count(embedder, 'freshet_events_total', { stage: 'embedder', type: 'CREATE', outcome: 'vector' }),
    N_CREATES,
  );
  assert.equal(
    count(embedder, 'freshet_events_total', {
      stage: 'embedder',
      type: 'PRICE_CHANGE',
      outcome: 'passthrough',
    }),
    M_PRICES,
  );
  assert.equal(
    count(writer, 'freshet_events_total', { stage: 'writer', type: 'CREATE', outcome: 'applied' }),
    N_CREATES,
  );
  assert.equal(
    count(writer, 'freshet_events_total', { stage: 'writer', type: 'PRICE_CHANGE', outcome: 'applied' }),
    M_PRICES,
  );
  assert.equal(count(embedder, 'freshet_dlq_total') + count(writer, 'freshet_dlq_total'), 0);

  // Embedding requests, tokens, retries, cache; the breaker stayed closed.
  const stats = fake.stats();
  assert.equal(count(embedder, 'freshet_embedding_inputs_total'), N_CREATES);
  assert.equal(stats.inputs, N_CREATES);
  assert.equal(count(embedder, 'freshet_embedding_tokens_total'), stats.tokens);
  assert.ok(stats.tokens > 0);
  assert.equal(count(embedder, 'freshet_embedding_retries_total'), 1, 'one retry after the injected 503');
  assert.equal(
    count(embedder, 'freshet_embedding_requests_total'),
    stats.requests,
    'every API call counted, the failed one too',
  );
  assert.match(embedder, /^freshet_embedding_cache_(hits|misses)_total\{/m);
  assert.match(embedder, /^freshet_breaker_state\{[^}]*\} 0$/m);

  // Stage latency histograms and batch sizes, per stage.
  for (const [stage, text] of Object.entries(metrics) as Array<[Stage, string]>) {
    assert.ok(count(text, 'freshet_stage_duration_seconds_count', { stage }) >= 1, `${stage} latency`);
    assert.ok(count(text, 'freshet_batch_size_sum', { stage }) >= 1, `${stage} batch size`);
    // Consumer lag per partition: a series per consumed partition, all 0 once drained.
    const lagLines = text.split('\n').filter((l) => l.startsWith('freshet_consumer_lag{'));
    assert.ok(lagLines.length >= 1 && lagLines.every((l) => /partition="\d+"/.test(l)), `${stage} lag`);
    assert.equal(count(text, 'freshet_consumer_lag', { stage }), 0, `${stage} lag after drain`);
  }
  assert.equal(count(router, 'freshet_batch_size_sum', { stage: 'router' }), N_CREATES + M_PRICES + K_BAD);

  // Freshness: one observation per applied write, each bounded by the test's own duration.
  assert.equal(count(writer, 'freshet_freshness_seconds_count'), N_CREATES + M_PRICES);
  assert.equal(count(writer, 'freshet_freshness_seconds_bucket', { le: '300' }), N_CREATES + M_PRICES);
  assert.ok(count(writer, 'freshet_milvus_requests_total', { op: 'upsert', outcome: 'ok' }) >= 1);
});

test('one trace spans router → embedder → writer, parent-linked through the traceparent header', async () => {
  const ids = ['o-3', 'o-17', 'o-42'];
  const chain = (id: string) => {
    const all = collector.spans();
    const of = (name: string) =>
      all.find(
        (s) =>
          s.name === name &&
          s.attributes['freshet.product_id'] === id &&
          s.attributes['freshet.event_type'] !== 'PRICE_CHANGE' &&
          s.attributes['freshet.op'] !== 'PARTIAL',
      );
    const r = of('router.route');
    const e = r && all.find((s) => s.name === 'embedder.embed' && s.parentSpanId === r.spanId);
    const w = e && all.find((s) => s.name === 'writer.apply' && s.parentSpanId === e.spanId);
    return r && e && w ? { r, e, w } : undefined;
  };
  const chains = await waitFor(
    'spans of all three services',
    () => {
      const found = ids.map(chain);
      return found.every((c) => c !== undefined) ? found : undefined;
    },
    20_000,
    250,
  );
  for (const c of chains as Array<{ r: CollectedSpan; e: CollectedSpan; w: CollectedSpan }>) {
    assert.equal(c.r.service, 'freshet-router');
    assert.equal(c.e.service, 'freshet-embedder');
    assert.equal(c.w.service, 'freshet-writer');
    assert.equal(c.e.traceId, c.r.traceId);
    assert.equal(c.w.traceId, c.r.traceId);
    assert.match(c.r.traceId, /^[0-9a-f]{32}$/);
    assert.equal(c.w.attributes['freshet.op'], 'UPSERT');
  }
  // Distinct events are distinct traces.
  assert.equal(new Set(chains.map((c) => c!.r.traceId)).size, ids.length);
  assert.equal(collector.rejected(), 0);
});

test('an embedding API outage opens the breaker: the embedder pauses, its lag per partition shows the backlog, then it drains', async () => {
  const appliedBefore = metricValue(await services.writer.metrics(), 'freshet_events_total', {
    stage: 'writer',
    type: 'CREATE',
    outcome: 'applied',
  });
  fake.inject({ kind: 'status5xx', status: 503 });
  const creates = Array.from(
    { length: 12 },
    (_, n): StreamItem => ({
      kind: 'event',
      event: event(`out-${n}`, 'CREATE', 1, { product: product(500 + n) }),
    }),
  );
  await produceItems(tk, names.input, creates);
  const during = await waitFor(
    'breaker open, partitions paused, lag sampled while paused',
    async () => {
      const m = await services.embedder.metrics();
      const open = metricValue(m, 'freshet_breaker_state') === 2;
      const paused = metricValue(m, 'freshet_paused_partitions', { stage: 'embedder' }) > 0;
      const lag = metricValue(m, 'freshet_consumer_lag', { stage: 'embedder' });
      return open && paused && lag === creates.length ? m : undefined;
    },
    40_000,
    250,
  );
  assert.ok(metricValue(during, 'freshet_breaker_transitions_total', { to: 'open' }) >= 1);
  assert.ok(
    metricValue(during, 'freshet_embedding_requests_total') >
      metricValue(metrics.embedder!, 'freshet_embedding_requests_total'),
  );
  assert.equal(metricValue(during, 'freshet_dlq_total'), 0, 'an outage is never DLQd');

  fake.clear('status5xx');
  await waitDrained(tk, names, 60_000, Object.values(services));
  await waitFor(
    'embedder recovered',
    async () => {
      const m = await services.embedder.metrics();
      return (
        metricValue(m, 'freshet_breaker_state') === 0 &&
        metricValue(m, 'freshet_paused_partitions', { stage: 'embedder' }) === 0 &&
        metricValue(m, 'freshet_consumer_lag', { stage: 'embedder' }) === 0
      );
    },
    15_000,
    250,
  );
  const writer = await services.writer.metrics();
  assert.equal(
    metricValue(writer, 'freshet_events_total', { stage: 'writer', type: 'CREATE', outcome: 'applied' }),
    appliedBefore + creates.length,
  );
});

test('no secret appears in any log line, and every line is pino JSON', async () => {
  // Graceful stop so shutdown logging (and the final span flush) is part of what is checked.
  for (const s of Object.values(services)) assert.equal(await s.terminate(30_000), 0, `${s.stage} exit code`);
  let lines = 0;
  for (const s of Object.values(services)) {
    const text = readFileSync(s.logFile, 'utf8');
    for (const line of text.split('\n').filter((l) => l.length > 0)) {
      lines++;
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (name === 'FRESHET_REGISTRY_USERNAME') continue;
        assert.ok(!line.includes(secret), `${s.stage} logged ${name}: ${line.slice(0, 200)}`);
      }
      const parsed = JSON.parse(line) as { level?: string; service?: string };
      assert.equal(parsed.service, s.stage);
    }
    // The config is logged at start, with its secrets replaced.
    assert.match(text, /"msg":"starting"/);
    assert.match(text, /\[REDACTED\]/);
  }
  assert.ok(lines > 10);
});
