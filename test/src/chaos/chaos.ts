import { createKafka, ensureTopics } from '@freshet/kafka';
import { createMilvusClient, type MilvusClient } from '@freshet/milvus';
import { AvroCodec } from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import {
  catalogEvents,
  type FakeOpenAI,
  generateCatalog,
  generateEvents,
  Rng,
  type StreamItem,
  startFakeOpenAI,
} from '@freshet/testkit';
import type { Admin, Kafka } from 'kafkajs';
import { type PipelineNames, uniqueNames } from '../support/pipeline.js';
import { waitFor } from '../support/ports.js';
import type { Stage } from '../support/services.js';
import { STACK } from '../support/stack.js';
import { Fleet, STAGES } from './fleet.js';
import { type Lags, sampler, stageLags } from './observe.js';
import { PrivateStack, type PrivateStackOptions } from './private-stack.js';
import { PacedProducer } from './producer.js';
import { SCENARIOS, type ScenarioContext, type ScenarioName } from './scenarios.js';
import {
  checkDlq,
  checkIndex,
  checkOrder,
  type DlqCheck,
  type IndexCheck,
  type ModelInfo,
  type OrderCheck,
  readTopic,
} from './verify.js';

export interface ChaosOptions {
  label: string;
  seed: number;
  /** Products created (version 1) before the scenarios. */
  catalogSize: number;
  /** Stream events (realistic mix plus injected trouble) produced during each scenario. */
  eventsPerScenario: number;
  scenarios: readonly ScenarioName[];
  /** kill -9 + restart of each service, in scenario `kill`. */
  killsPerService: number;
  milvusOutageMs: number;
  rateLimitMs: number;
  retryAfterSeconds: number;
  apiFailMs: number;
  brokerDownMs: number;
  scaleHoldMs: number;
  drainTimeoutMs: number;
  partitions: number;
  shutdownGraceMs: number;
  ports: PrivateStackOptions;
  /** Leave the private stack running at the end (debugging only). */
  keepStack?: boolean;
  log(line: string): void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  title: string;
  events: number;
  lost: number;
  stale: number;
  ghost: number;
  dlq: DlqCheck;
  /** From the end of the fault until every stage's lag is 0 (the scenario's production finished too). */
  recoverMs: number;
  /** How long the scenario's paced production went on after the fault ended (part of recoverMs). */
  productionEndedAfterFaultMs: number;
  /** Highest uncommitted records per stage, sampled every second during the scenario. */
  peakLag: Lags;
  durationMs: number;
  checks: Check[];
  staleExamples: string[];
}

export interface ChaosResult {
  options: Omit<ChaosOptions, 'log'>;
  startedAt: string;
  durationMs: number;
  totalEvents: number;
  scenarios: ScenarioResult[];
  index: IndexCheck;
  dlq: DlqCheck;
  order: OrderCheck;
  crashes: Array<{ stage: Stage; exit: number | string; log: string }>;
  embedding: { requests: number; billedInputs: number; tokens: number };
}

export const MODEL: ModelInfo = {
  model: 'text-embedding-3-small',
  dimension: 64,
  templateVersion: 2,
  attributes: ['color', 'material', 'size', 'model', 'gender', 'style'],
};

/** Injected trouble of the realistic generator (DESIGN §4): late, duplicate, deletes, tombstones, bad input. */
const STREAM_FAULTS = {
  outOfOrder: 0.02,
  duplicates: 0.02,
  unchangedTextUpdates: 0.02,
  deleteThenOlderUpdate: 0.005,
  deleteThenNewerCreate: 0.005,
  tombstones: 0.005,
  badInputs: 0.005,
};

export interface ChaosWorld {
  options: ChaosOptions;
  names: PipelineNames;
  stack: PrivateStack;
  kafka: Kafka;
  admin: Admin;
  milvus: MilvusClient;
  fake: FakeOpenAI;
  fleet: Fleet;
  producer: PacedProducer;
}

function serviceEnv(world: Omit<ChaosWorld, 'fleet' | 'producer'>, stage: Stage): Record<string, string> {
  const { names, stack, fake, options } = world;
  const group = {
    router: { FRESHET_ROUTER_GROUP_ID: names.groups.router },
    embedder: { FRESHET_EMBEDDER_GROUP_ID: names.groups.embedder },
    writer: { FRESHET_WRITER_GROUP_ID: names.groups.writer },
  }[stage];
  return {
    FRESHET_KAFKA_BROKERS: stack.kafka,
    FRESHET_REGISTRY_URL: STACK.registry,
    FRESHET_MILVUS_ADDRESS: stack.milvus,
    FRESHET_TOPIC_INPUT: names.input,
    FRESHET_TOPIC_EMBED: names.embed,
    FRESHET_TOPIC_INDEX: names.index,
    FRESHET_TOPIC_DLQ: names.dlq,
    FRESHET_TOPIC_PARTITIONS: String(options.partitions),
    FRESHET_COLLECTION: names.collection,
    FRESHET_SHUTDOWN_GRACE_MS: String(options.shutdownGraceMs),
    // A killed member's partitions move after the session timeout: the shortest the broker allows (6 s) + margin.
    FRESHET_KAFKA_SESSION_TIMEOUT_MS: '10000',
    FRESHET_KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    FRESHET_RETRY_BASE_MS: '200',
    FRESHET_RETRY_MAX_MS: '2000',
    FRESHET_EMBEDDING_PROVIDER: 'openai',
    FRESHET_EMBEDDING_BASE_URL: fake.url,
    FRESHET_EMBEDDING_API_KEY: 'sk-chaos-sentinel-key',
    FRESHET_EMBEDDING_MODEL: MODEL.model,
    FRESHET_EMBEDDING_DIMENSIONS: String(MODEL.dimension),
    FRESHET_EMBED_TIMEOUT_MS: '5000',
    FRESHET_BREAKER_RESET_MS: '3000',
    ...group,
  };
}

/** Waits until every stage has committed everything produced so far (lag 0 twice, 1.5 s apart). */
export async function waitDrained(world: ChaosWorld, timeoutMs: number): Promise<void> {
  let stableSince = 0;
  await waitFor(
    'pipeline drained',
    async () => {
      const lags = await stageLags(world.admin, world.names);
      if (lags.router + lags.embedder + lags.writer > 0) {
        stableSince = 0;
        return false;
      }
      if (stableSince === 0) stableSince = Date.now();
      return Date.now() - stableSince > 1500;
    },
    timeoutMs,
    250,
  );
}

/**
 * The whole chaos run: a private Kafka + Milvus, the three services as real processes against a fake
 * embedding API, a warm catalog, then each scenario with its own slice of the stream, each followed by a
 * full check of Milvus against the oracle and of the DLQ. Always tears everything down.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const { log } = options;
  const stack = new PrivateStack(options.ports);
  const names = uniqueNames(options.label);
  let world: ChaosWorld | undefined;
  let fake: FakeOpenAI | undefined;
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let milvus: MilvusClient | undefined;
  // Interrupted (Ctrl-C, a test timeout's SIGTERM): still stop the services and the private stack.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the services and the private stack`);
    void (world?.fleet.stopAll() ?? Promise.resolve())
      .then(() => stack.destroy())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    log(`private stack in ${stack.state}: kafka ${stack.kafka}, milvus ${stack.milvus}`);
    await stack.up('kafka', 'milvus');
    kafka = createKafka(
      {
        brokers: [stack.kafka],
        clientId: 'freshet-chaos',
        ssl: false,
        connectionTimeoutMs: 3000,
        sessionTimeoutMs: 30000,
        heartbeatIntervalMs: 3000,
      },
      createLogger({ service: 'chaos', level: 'fatal' }),
    );
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, {
      input: names.input,
      embed: names.embed,
      index: names.index,
      dlq: names.dlq,
      partitions: options.partitions,
      replicationFactor: 1,
    });
    milvus = createMilvusClient({ address: stack.milvus });
    fake = await startFakeOpenAI();
    const base = { options, names, stack, kafka, admin, milvus, fake };
    const fleet = new Fleet((stage) => serviceEnv(base, stage));
    const producer = new PacedProducer(kafka, new AvroCodec({ url: STACK.registry }), names.input);
    await producer.connect();
    world = { ...base, fleet, producer };

    await Promise.all(STAGES.map((s) => fleet.start(s)));
    log('services ready; producing the warm catalog');
    const catalog = generateCatalog({ count: options.catalogSize, seed: options.seed });
    const warm: StreamItem[] = catalogEvents(catalog, { seed: options.seed }).map((event) => ({
      kind: 'event',
      event,
    }));
    await producer.produce(warm, 2000, 200);
    await waitDrained(world, options.drainTimeoutMs);

    const stream = generateEvents({
      seed: options.seed,
      catalogSize: options.catalogSize,
      count: options.eventsPerScenario * options.scenarios.length,
      ...STREAM_FAULTS,
    });
    const rng = new Rng(options.seed);
    const results: ScenarioResult[] = [];
    for (const [i, name] of options.scenarios.entries()) {
      const slice = stream.slice(i * options.eventsPerScenario, (i + 1) * options.eventsPerScenario);
      const scenario = SCENARIOS[name];
      log(`scenario ${name}: ${scenario.title} (${slice.length} events)`);
      const scenarioStart = Date.now();
      const context: ScenarioContext = { world, rng, checks: [], log };
      const lagSamples = sampler(() => stageLags(admin!, names), 1000);
      const production = producer.produce(slice, scenario.rate(options, slice.length));
      await scenario.run(context);
      const faultEnd = context.faultEndedAt ?? Date.now();
      await production;
      const producedAt = Date.now();
      await waitDrained(world, options.drainTimeoutMs);
      const recoverMs = Date.now() - faultEnd;
      const lags = await lagSamples.stop();
      const peakLag = {
        router: Math.max(0, ...lags.map((l) => l.router)),
        embedder: Math.max(0, ...lags.map((l) => l.embedder)),
        writer: Math.max(0, ...lags.map((l) => l.writer)),
      };
      const index = await checkIndex(milvus, names.collection, producer.produced, MODEL);
      const dlq = checkDlq(await readTopic(kafka, admin, names.dlq), producer.bad);
      const crashes = fleet.crashes.filter((c) => c.at >= scenarioStart);
      context.checks.push({
        name: 'no service crashed',
        ok: crashes.length === 0,
        detail: crashes.map((c) => `${c.stage} exited ${c.exit}`).join('; ') || 'none',
      });
      const row: ScenarioResult = {
        scenario: name,
        title: scenario.title,
        events: slice.length,
        lost: index.lost.length,
        stale: index.stale.length,
        ghost: index.ghost.length,
        dlq,
        recoverMs,
        productionEndedAfterFaultMs: Math.max(0, producedAt - faultEnd),
        peakLag,
        durationMs: Date.now() - scenarioStart,
        checks: context.checks,
        staleExamples: index.stale
          .slice(0, 3)
          .map((id) => `${id}: ${(index.details.get(id) ?? []).join(', ')}`)
          .concat(index.lost.slice(0, 3).map((id) => `${id}: lost`))
          .concat(index.ghost.slice(0, 3).map((id) => `${id}: ghost`)),
      };
      results.push(row);
      log(
        `  ${name}: lost ${row.lost}, stale ${row.stale}, ghost ${row.ghost}, DLQ ${dlq.distinct}/${dlq.expected} (+${dlq.unexpected} unexpected), recovered in ${(recoverMs / 1000).toFixed(1)} s; ` +
          context.checks.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.name}`).join('; '),
      );
    }

    const index = await checkIndex(milvus, names.collection, producer.produced, MODEL);
    const dlq = checkDlq(await readTopic(kafka, admin, names.dlq), producer.bad);
    const order = checkOrder(await readTopic(kafka, admin, names.index));
    const stats = fake.stats();
    const { log: _log, ...printable } = options;
    return {
      options: printable,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      totalEvents: producer.produced.length,
      scenarios: results,
      index,
      dlq,
      order,
      crashes: fleet.crashes.map((c) => ({ stage: c.stage, exit: c.exit, log: c.log })),
      embedding: { requests: stats.requests, billedInputs: stats.inputs, tokens: stats.tokens },
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await world?.fleet.stopAll().catch(() => {});
    await world?.producer.disconnect();
    if (admin) await admin.disconnect().catch(() => {});
    await milvus?.closeConnection().catch(() => {});
    await fake?.close().catch(() => {});
    if (options.keepStack)
      log(`private stack left running: FRESHET_STATE=${stack.state}; names ${JSON.stringify(names)}`);
    else await stack.destroy();
    log(`private stack stopped and removed (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
  }
}
