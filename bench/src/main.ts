#!/usr/bin/env node
// The benchmark (DESIGN §8): throughput of each stage alone and of the whole pipeline, a naive pipeline
// and Milvus's own ceiling, freshness at a steady rate, embedding tokens and RSS, all in one run against
// the real local stack. `--quick` is the small CI run that proves the bench works.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { countTokens } from '@freshet/embedding';
import { createMilvusClient, createPhysical, dropAll, dropPhysical, ensureCollection } from '@freshet/milvus';
import type { ProductEvent } from '@freshet/schemas';
import { pollUntil } from '@freshet/testkit';
import {
  type BacklogContext,
  type BacklogProvider,
  type BacklogRun,
  type BacklogSystem,
  backlogItems,
  roundLabel,
  runBacklog,
  sharedProcesses,
} from './backlog.js';
import { bestPoint, fillCatalog, mixCeiling, partialCeiling } from './ceiling.js';
import { CpuMeter } from './cpu.js';
import { stageCycle } from './cycle.js';
import { isPriceStock, runFreshness } from './freshness.js';
import { hopBreakdown } from './hops.js';
import {
  committedTotal,
  connectKafka,
  createTopics,
  deleteTopics,
  produceEvents,
  runId,
  STACK,
  type TopicSet,
  topicSet,
  waitLagZero,
} from './kafka.js';
import { LoadSampler, machineInfo, waitForQuietCpu } from './machine.js';
import { runNaive } from './naive.js';
import {
  type FakeApiProcess,
  REPO_ROOT,
  SERVICES_ROOT,
  type ServiceProcess,
  type Stage,
  startFakeApi,
  startService,
} from './processes.js';
import {
  type BacklogOnlyResults,
  type BacklogResults,
  type BenchResults,
  backlogOnlyMarkdown,
  backlogSummary,
  evaluateTargets,
  loadReference,
  markdown,
  svgChart,
  type Throughput,
} from './results.js';
import { bucketDelta, histogramQuantile, parseHistogram, percentile } from './stats.js';
import {
  BENCH_MODEL,
  generateSegments,
  mixOf,
  ProductFold,
  templateVersionOf,
  tokenBudget,
} from './workload.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '150' },
    seed: { type: 'string', default: '8' },
    // Overrides of the mode's sizes, for profiling and tuning runs.
    catalog: { type: 'string' },
    events: { type: 'string' },
    'freshness-seconds': { type: 'string' },
    'naive-seconds': { type: 'string' },
    // Only the Milvus ceiling and the stage-alone runs (tuning); writes no results.
    'stages-only': { type: 'boolean', default: false },
    // Only the backlog segments (pipeline and seed-style baseline, CPU per event): results/backlog.*
    'backlog-only': { type: 'boolean', default: false },
    // API latencies of the backlog segments (ms, comma-separated) and their size.
    'backlog-latencies': { type: 'string' },
    'backlog-creates': { type: 'string' },
    'backlog-events': { type: 'string' },
    // Which systems drain each backlog: freshet, seedStyle (comma-separated).
    'backlog-systems': { type: 'string', default: 'freshet,seedStyle' },
    // Drains per system of each backlog segment (the median is reported); default 3, 1 with --quick.
    'backlog-rounds': { type: 'string' },
    // The large backlog for memory (RSS with default settings); 0 leaves it out.
    'memory-events': { type: 'string' },
    // Which embedding provider drains it: the fake API, the local model a user without a key gets, or both.
    'memory-providers': { type: 'string', default: 'openai,local' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`usage: node bench/dist/main.js [options]   (bench/README.md has the details)
  --quick                    small sizes, results/quick.*
  --out DIR                  where results go (default bench/results)
  --profile                  CPU profiles of the services (/tmp/freshet-bench-profiles)
  --latency-ms N             fake API latency of the pipeline runs (default 150)
  --seed N                   workload seed (default 8)
  --catalog N, --events N, --freshness-seconds N, --naive-seconds N
                             override the mode's sizes
  --stages-only              Milvus ceiling and stage-alone runs only; writes no results
  --backlog-only             backlog segments only (pipeline vs seed-style, CPU per event): results/backlog.*
  --backlog-latencies LIST   API latencies of the backlog segments, ms, comma-separated ('' for none)
  --backlog-creates N, --backlog-events N
  --backlog-systems LIST     freshet,seedStyle (default both)
  --backlog-rounds N         drains per system of each segment, rotating who goes first; the median drain
                             by events/s is reported (default 3, 1 with --quick)
  --memory-events N          size of the memory backlog (0 leaves it out)
  --memory-providers LIST    who embeds it: openai (the fake API), local (the default model), default both
  env BENCH_REFERENCE_ROOT   a built checkout whose services also drain the first backlog (the CPU reference)
`);
  process.exit(0);
}

const quick = args.quick ?? false;
const SIZES = quick
  ? {
      catalog: 2000,
      stages: 3000,
      pipeline: 3000,
      freshnessSeconds: 6,
      priceStockSeconds: 3,
      naiveSeconds: 4,
      trialRows: 400,
      batches: [1, 100, 500],
      backlogCreates: 300,
      backlogEvents: 2700,
      memoryCreates: 0,
      memoryEvents: 0,
    }
  : {
      catalog: 50_000,
      stages: 40_000,
      pipeline: 40_000,
      freshnessSeconds: 60,
      priceStockSeconds: 30,
      naiveSeconds: 30,
      trialRows: 5000,
      batches: [1, 100, 250, 500, 1000],
      // Issue 13's backlog: 5k creates + 40k mix; and 20k + 180k for memory.
      backlogCreates: 5000,
      backlogEvents: 40_000,
      memoryCreates: 20_000,
      memoryEvents: 180_000,
    };
const sizeArg = (name: 'catalog' | 'events' | 'freshness-seconds' | 'naive-seconds', fallback: number) =>
  args[name] === undefined ? fallback : Number(args[name]);
Object.assign(SIZES, {
  catalog: sizeArg('catalog', SIZES.catalog),
  stages: sizeArg('events', SIZES.stages),
  pipeline: sizeArg('events', SIZES.pipeline),
  freshnessSeconds: sizeArg('freshness-seconds', SIZES.freshnessSeconds),
  naiveSeconds: sizeArg('naive-seconds', SIZES.naiveSeconds),
  backlogCreates:
    args['backlog-creates'] === undefined ? SIZES.backlogCreates : Number(args['backlog-creates']),
  backlogEvents: args['backlog-events'] === undefined ? SIZES.backlogEvents : Number(args['backlog-events']),
  memoryEvents: args['memory-events'] === undefined ? SIZES.memoryEvents : Number(args['memory-events']),
});
// The memory backlog keeps issue 13's proportion: one create per nine mixed events.
SIZES.memoryCreates = Math.round(SIZES.memoryEvents / 9);
const backlogLatencies = (args['backlog-latencies'] ?? (quick ? '20' : '20,150'))
  .split(',')
  .filter((x) => x.trim() !== '')
  .map(Number);
const backlogRounds = args['backlog-rounds'] === undefined ? (quick ? 1 : 3) : Number(args['backlog-rounds']);
if (!Number.isInteger(backlogRounds) || backlogRounds < 1)
  throw new Error(`--backlog-rounds must be a whole number ≥ 1, got ${args['backlog-rounds']}`);
const backlogSystems = (args['backlog-systems'] ?? '')
  .split(',')
  .map((x) => x.trim())
  .filter((x): x is BacklogSystem => x === 'freshet' || x === 'seedStyle');
const memoryProviders = (args['memory-providers'] ?? '')
  .split(',')
  .map((x) => x.trim())
  .filter((x): x is BacklogProvider => x === 'openai' || x === 'local');
/** Where a service writes and which embedding it uses. */
interface Target {
  collection: string;
  apiUrl: string;
  provider?: BacklogProvider;
}
const RATE = 500;
const PARTITIONS = 6;
const latencyMs = Number(args['latency-ms']);
const seed = Number(args.seed);
const outDir = args.out ?? join(REPO_ROOT, 'bench/results');
const logDir = join(tmpdir(), 'freshet-bench-logs');
// Services run with the memory settings a user gets (deploy/local/service, as the demo and `npm start`
// run them; the image and the chart set the same): no heap flags of the bench's own.
// BENCH_SERVICE_NODE_OPTIONS adds flags after those defaults (tuning runs), and BENCH_<STAGE>_NODE_OPTIONS
// after those for one stage.
const extraNodeOptions = (stage: Stage) =>
  [process.env.BENCH_SERVICE_NODE_OPTIONS, process.env[`BENCH_${stage.toUpperCase()}_NODE_OPTIONS`]]
    .filter((o): o is string => Boolean(o))
    .join(' ');
const serviceNodeOptions: Record<Stage, string> = {
  router: extraNodeOptions('router'),
  embedder: extraNodeOptions('embedder'),
  writer: extraNodeOptions('writer'),
};
// Today's services' CPU per 1,000 events on the backlog (results/earlier), the target's reference.
const reference = loadReference(join(REPO_ROOT, 'bench/results/earlier'));
// A built checkout of earlier code (BENCH_REFERENCE_ROOT) whose services also drain the first backlog, in
// the same run: the CPU target's reference measured under the same conditions.
const REFERENCE_ROOT = process.env.BENCH_REFERENCE_ROOT;
const profileDir = args.profile ? join(tmpdir(), 'freshet-bench-profiles') : undefined;

const say = (message: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const run = promisify(execFile);

async function listening(hostPort: string): Promise<boolean> {
  const url = hostPort.includes('://') ? hostPort : `tcp://${hostPort}`;
  const { hostname, port } = new URL(url);
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500);
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
    s.connect(Number(port), hostname);
  });
}

/** Sum of a metric's samples in a Prometheus exposition. */
function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

function quantiles(samples: ReadonlyArray<{ ms: number }>): {
  samples: number;
  p50Ms: number;
  p99Ms: number;
} {
  const ms = samples.map((x) => x.ms);
  return { samples: ms.length, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = new LoadSampler();
  if (
    !(await listening(STACK.kafka)) ||
    !(await listening(STACK.registry)) ||
    !(await listening(STACK.milvus))
  ) {
    say('local stack not fully up: deploy/local/up');
    await run(join(REPO_ROOT, 'deploy/local/up'), [], { cwd: REPO_ROOT, timeout: 15 * 60 * 1000 });
  }
  const id = runId();
  const collection = `bench_${id}`;
  const naiveCollection = `bench_${id}_naive`;
  const sets = { stages: topicSet(id, 'stages'), pass: topicSet(id, 'pass'), pipeline: topicSet(id, 'pipe') };
  const api = await startFakeApi(latencyMs);
  const milvus = createMilvusClient({ address: STACK.milvus, timeoutMs: 60000 });
  const bk = await connectKafka(STACK);
  const running: ServiceProcess[] = [];
  const passEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('FRESHET_') && e[1] !== undefined,
    ),
  );
  const env = (
    set: TopicSet,
    stage: Stage,
    target: Target = { collection, apiUrl: api.url },
    templateVersion: number = BENCH_MODEL.templateVersion,
  ): Record<string, string> => ({
    ...passEnv,
    ...(target.provider === 'local'
      ? // No API: the embedder's default provider and model, as a user without a key runs it.
        { FRESHET_EMBEDDING_PROVIDER: 'local' }
      : {
          FRESHET_EMBEDDING_PROVIDER: 'openai',
          FRESHET_EMBEDDING_BASE_URL: target.apiUrl,
          FRESHET_EMBEDDING_MODEL: BENCH_MODEL.model,
          FRESHET_EMBEDDING_DIMENSIONS: String(BENCH_MODEL.dimension),
        }),
    FRESHET_TEMPLATE_VERSION: String(templateVersion),
    FRESHET_KAFKA_BROKERS: STACK.kafka,
    FRESHET_REGISTRY_URL: STACK.registry,
    FRESHET_MILVUS_ADDRESS: STACK.milvus,
    FRESHET_TOPIC_INPUT: set.input,
    FRESHET_TOPIC_EMBED: set.embed,
    FRESHET_TOPIC_INDEX: set.index,
    FRESHET_TOPIC_DLQ: set.dlq,
    FRESHET_TOPIC_PARTITIONS: String(PARTITIONS),
    FRESHET_COLLECTION: target.collection,
    FRESHET_SHUTDOWN_GRACE_MS: '10000',
    FRESHET_LOG_LEVEL: 'info',
    ...(stage === 'router'
      ? { FRESHET_ROUTER_GROUP_ID: set.groups.router }
      : stage === 'embedder'
        ? { FRESHET_EMBEDDER_GROUP_ID: set.groups.embedder }
        : { FRESHET_WRITER_GROUP_ID: set.groups.writer }),
  });
  const start = async (stage: Stage, set: TopicSet, target?: Target, root?: string) => {
    const s = await startService(stage, env(set, stage, target, await templateVersionOf(root)), {
      ...(root ? { root } : {}),
      logDir,
      nodeOptions: serviceNodeOptions[stage],
      ...(profileDir ? { cpuProfDir: profileDir } : {}),
    });
    running.push(s);
    return s;
  };
  const stop = async (s: ServiceProcess) => {
    await s.stop();
    running.splice(running.indexOf(s), 1);
  };
  // The backlog segments' own fake APIs, stopped by the clean-up too (e.g. on SIGINT).
  const extraApis: FakeApiProcess[] = [];
  const backlogCtx: BacklogContext = {
    id,
    bk,
    milvus,
    seed,
    partitions: PARTITIONS,
    say,
    startFakeApi: async (latency) => {
      const started = await startFakeApi(latency);
      extraApis.push(started);
      return started;
    },
    startService: (stage, set, target, apiUrl, root, provider) =>
      start(stage, set, { collection: target, apiUrl, ...(provider ? { provider } : {}) }, root),
    stopService: stop,
  };
  const memoryEvents = args['backlog-only'] && args['memory-events'] === undefined ? 0 : SIZES.memoryEvents;
  const rounds = [...Array(backlogRounds).keys()];
  const backlogLabels = [
    ...backlogLatencies.flatMap((l) => rounds.map((r) => roundLabel(`backlog${l}`, r))),
    ...(REFERENCE_ROOT
      ? backlogLatencies.slice(0, 1).flatMap((l) => rounds.map((r) => `${roundLabel(`backlog${l}`, r)}ref`))
      : []),
    ...(memoryEvents > 0 ? memoryProviders.map((p) => (p === 'local' ? 'memoryLocal' : 'memory')) : []),
  ];
  /** Issue 13's backlog at each API latency (pipeline and seed-style), then the large one for memory. */
  const runBacklogs = async (): Promise<BacklogResults> => {
    if (backlogLatencies.length > 0)
      say(
        `backlog segments: ${SIZES.backlogCreates} creates + ${SIZES.backlogEvents} mixed events pre-filled, API ${backlogLatencies.join(' and ')} ms, ${backlogSystems.join(' and ')}${backlogRounds > 1 ? `, ${backlogRounds} rounds` : ''}`,
      );
    const items = backlogItems(seed, SIZES.backlogCreates, SIZES.backlogEvents);
    const runs: BacklogRun[] = [];
    for (const [i, latency] of backlogLatencies.entries())
      runs.push(
        await runBacklog(backlogCtx, {
          label: `backlog${latency}`,
          items,
          creates: SIZES.backlogCreates,
          latencyMs: latency,
          systems: backlogSystems,
          rounds: backlogRounds,
          // The earlier code's services on the same events in the same run (the CPU target's reference).
          ...(i === 0 && REFERENCE_ROOT ? { referenceRoot: REFERENCE_ROOT } : {}),
        }),
      );
    const memory: Partial<Record<BacklogProvider, BacklogRun>> = {};
    if (memoryEvents > 0) {
      const memoryItems = backlogItems(seed + 1, SIZES.memoryCreates, memoryEvents);
      for (const provider of memoryProviders) {
        say(
          `memory backlog: ${SIZES.memoryCreates} creates + ${memoryEvents} mixed events, freshet only, services with default settings, ${provider === 'local' ? 'the local model (no API key)' : 'the fake API'}`,
        );
        memory[provider] = await runBacklog(backlogCtx, {
          label: provider === 'local' ? 'memoryLocal' : 'memory',
          items: memoryItems,
          creates: SIZES.memoryCreates,
          latencyMs: 20,
          systems: ['freshet'],
          provider,
        });
      }
    }
    return {
      runs,
      ...(memory.openai ? { memory: memory.openai } : {}),
      ...(memory.local ? { memoryLocal: memory.local } : {}),
      ...(reference ? { reference } : {}),
    };
  };
  const assigned = (s: ServiceProcess) =>
    pollUntil(() => s.assignedAt(), {
      what: `${s.stage} partitions assigned`,
      timeoutMs: 60000,
      intervalMs: 100,
    });
  const alonePeak: Record<Stage, number> = { router: 0, embedder: 0, writer: 0 };
  /** One instance drains a pre-filled topic: from joining its group to lag 0. */
  const drainAlone = async (
    stage: Stage,
    set: TopicSet,
    topic: string,
    events: number,
  ): Promise<Throughput> => {
    const s = await start(stage, set);
    const t0 = await assigned(s);
    const timeline: string[] = [];
    // The first poll that sees progress: from there on the stage is warm (see Throughput.steady).
    let first: { at: number; lag: number } | undefined;
    const t1 = await waitLagZero(bk, [{ group: set.groups[stage], topic }], 20 * 60 * 1000, (lags) => {
      const lag = lags[0] ?? 0;
      timeline.push(`${Date.now() - t0}:${lag}`);
      if (first === undefined && lag < events && lag > 0) first = { at: Date.now(), lag };
    });
    if (process.env.BENCH_DEBUG) say(`  ${stage} lag timeline (ms since assigned:lag) ${timeline.join(' ')}`);
    const memory = s.memory();
    if (process.env.BENCH_DEBUG) {
      const text = await s.metrics();
      const mb = (name: string) => Math.round(metricSum(text, name) / 2 ** 20);
      say(
        `  ${stage}: heap total ${mb('freshet_process_nodejs_heap_size_total_bytes')} MB, used ${mb('freshet_process_nodejs_heap_size_used_bytes')} MB, external ${mb('freshet_process_nodejs_external_memory_bytes')} MB`,
      );
    }
    alonePeak[stage] = Math.max(alonePeak[stage], memory.peakRssMb);
    say(`  ${stage}: peak RSS ${Math.round(memory.peakRssMb)} MB (VmHWM ${Math.round(memory.hwmMb)} MB)`);
    await stop(s);
    const seconds = (t1 - t0) / 1000;
    const steady =
      // Only when most of the run is after the first commit and long enough to time (polls are ~50 ms apart).
      first && first.lag >= events / 2 && t1 - first.at >= 1000
        ? {
            events: first.lag,
            seconds: (t1 - first.at) / 1000,
            eventsPerSecond: first.lag / ((t1 - first.at) / 1000),
          }
        : undefined;
    return { events, seconds, eventsPerSecond: events / seconds, ...(steady ? { steady } : {}) };
  };

  let cleaned: Promise<void> | undefined;
  // Everything the run created goes, also when it fails or is interrupted (the stack is shared).
  const cleanup = () => {
    cleaned ??= (async () => {
      for (const s of [...running]) await s.stop().catch(() => {});
      await deleteTopics(bk, [...Object.values(sets), ...backlogLabels.map((l) => topicSet(id, l))]);
      await bk.admin.deleteGroups([`bench.${id}.naive`]).catch(() => {});
      await bk.close();
      // Milvus Lite drops a loaded 50,000-row collection slowly; released first it takes seconds.
      for (const name of [`${collection}_v1`, `${collection}_tombstones`, naiveCollection])
        await milvus.releaseCollection({ collection_name: name }).catch(() => {});
      await dropAll(milvus, collection).catch(() => {});
      await dropPhysical(milvus, naiveCollection).catch(() => {});
      for (const label of backlogLabels) {
        await dropAll(milvus, `${collection}_${label}`).catch(() => {});
        await dropPhysical(milvus, `${collection}_${label}_seed`).catch(() => {});
      }
      await milvus.closeConnection().catch(() => {});
      await api.stop();
      for (const extra of extraApis) await extra.stop().catch(() => {});
    })();
    return cleaned;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    if (args['backlog-only']) {
      const backlog = await runBacklogs();
      const out: BacklogOnlyResults = {
        schema: 1,
        mode: 'backlog',
        runId: id,
        startedAt: new Date(started).toISOString(),
        durationSeconds: (Date.now() - started) / 1000,
        machine: machineInfo(load.stop()),
        servicesRoot: SERVICES_ROOT,
        serviceNodeOptions,
        serviceEnv: passEnv,
        backlog,
      };
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'backlog.json'), `${JSON.stringify(out, null, 2)}\n`);
      writeFileSync(join(outDir, 'backlog.md'), backlogOnlyMarkdown(out));
      for (const line of backlogSummary(backlog)) say(line);
      say(`results in ${join(outDir, 'backlog.{json,md}')} after ${Math.round(out.durationSeconds)} s`);
      return;
    }
    say(
      `fake OpenAI API at ${api.url} (${latencyMs} ms per request); run ${id}, ${quick ? 'quick' : 'full'} mode`,
    );
    await ensureCollection(milvus, { alias: collection, dimension: BENCH_MODEL.dimension });
    say(
      `warm catalog: ${SIZES.catalog} products straight into Milvus, batch sizes ${SIZES.batches.join(', ')}`,
    );
    const fill = await fillCatalog(milvus, collection, BENCH_MODEL, {
      seed,
      size: SIZES.catalog,
      batches: SIZES.batches,
      rowsPerTrial: SIZES.trialRows,
    });
    const partial = await partialCeiling(milvus, collection, BENCH_MODEL, {
      seed,
      rows: Math.min(SIZES.catalog, SIZES.trialRows),
      batch: 500,
    });
    const bestUpsert = bestPoint(fill.points, 'upsert')!;
    for (const p of [...fill.points, partial])
      say(`  milvus ${p.op} batch ${p.batch}: ${Math.round(p.rowsPerSecond)} rows/s`);

    const segments = generateSegments(seed, SIZES.catalog, {
      stages: SIZES.stages,
      pipeline: SIZES.pipeline,
      freshness: RATE * SIZES.freshnessSeconds,
      // Raw stream for the price/stock-only run: ~70 % of it is price and stock changes.
      priceStock: Math.ceil(RATE * SIZES.priceStockSeconds * 1.6),
    });
    const mix = mixOf(segments.stages);
    const fullFraction = (mix.CREATE + mix.UPDATE + mix.DELETE) / segments.stages.length;
    const ceiling = mixCeiling(
      fullFraction,
      1 - fullFraction,
      bestUpsert.rowsPerSecond,
      partial.rowsPerSecond,
    );

    for (const set of Object.values(sets)) await createTopics(bk, set, PARTITIONS);
    say(`producing ${segments.stages.length} events for the stage-alone runs`);
    const producerRate = await produceEvents(bk, sets.stages.input, segments.stages);
    const passOnly = segments.stages.filter((e) => isPriceStock(e.type) || e.type === 'DELETE');
    await produceEvents(bk, sets.pass.input, passOnly);

    say('router alone');
    const router = await drainAlone('router', sets.stages, sets.stages.input, segments.stages.length);
    say(
      `  ${Math.round(router.eventsPerSecond)} events/s, steady ${Math.round(router.steady?.eventsPerSecond ?? Number.NaN)}`,
    );
    await drainAlone('router', sets.pass, sets.pass.input, passOnly.length); // fills the pass-through embed topic
    say('embedder alone, pass-through only');
    const embedderPassthrough = await drainAlone('embedder', sets.pass, sets.pass.embed, passOnly.length);
    say(`  ${Math.round(embedderPassthrough.eventsPerSecond)} events/s`);
    say('embedder alone, realistic mix');
    await api.reset();
    const embedderMixed = await drainAlone(
      'embedder',
      sets.stages,
      sets.stages.embed,
      segments.stages.length,
    );
    const stageTokens = (await api.stats()).tokens;
    say(`  ${Math.round(embedderMixed.eventsPerSecond)} events/s, ${stageTokens} tokens`);
    say('writer alone');
    const writer = await drainAlone('writer', sets.stages, sets.stages.index, segments.stages.length);
    say(
      `  ${Math.round(writer.eventsPerSecond)} events/s (Milvus ceiling for this mix ${Math.round(ceiling)} rows/s)`,
    );

    if (args['stages-only']) return;
    say('token budgets from the generated stream');
    const fold = ProductFold.overCatalog(seed, SIZES.catalog, BENCH_MODEL);
    const stageBudget = tokenBudget(fold, segments.stages, countTokens);
    const naiveFold = fold.clone();
    const budget = tokenBudget(fold, segments.pipeline, countTokens);

    say(`whole pipeline: ${segments.pipeline.length} events pre-filled, then all three services`);
    await produceEvents(bk, sets.pipeline.input, segments.pipeline);
    await api.reset();
    const embedder = await start('embedder', sets.pipeline);
    const writerSvc = await start('writer', sets.pipeline);
    await Promise.all([assigned(embedder), assigned(writerSvc)]);
    const routerSvc = await start('router', sets.pipeline);
    const p0 = await assigned(routerSvc);
    const drainedPairs = [
      { group: sets.pipeline.groups.router, topic: sets.pipeline.input },
      { group: sets.pipeline.groups.embedder, topic: sets.pipeline.embed },
      { group: sets.pipeline.groups.writer, topic: sets.pipeline.index },
    ];
    let firstWritten: { at: number; written: number } | undefined;
    const p1 = await waitLagZero(bk, drainedPairs, 20 * 60 * 1000, () => {
      if (firstWritten !== undefined) return;
      const at = Date.now();
      void committedTotal(bk, sets.pipeline.groups.writer, sets.pipeline.index).then((written) => {
        if (firstWritten === undefined && written > 0) firstWritten = { at, written };
      });
    });
    const rest = segments.pipeline.length - (firstWritten?.written ?? 0);
    const pipelineSteady =
      firstWritten && rest >= segments.pipeline.length / 2 && p1 - firstWritten.at >= 1000
        ? {
            events: rest,
            seconds: (p1 - firstWritten.at) / 1000,
            eventsPerSecond: rest / ((p1 - firstWritten.at) / 1000),
          }
        : undefined;
    const pipeline = {
      ...(pipelineSteady ? { steady: pipelineSteady } : {}),
      events: segments.pipeline.length,
      seconds: (p1 - p0) / 1000,
      eventsPerSecond: segments.pipeline.length / ((p1 - p0) / 1000),
    };
    const pipelineApi = await api.stats();
    say(
      `  ${Math.round(pipeline.eventsPerSecond)} events/s, ${pipelineApi.tokens} tokens (limit ${budget.limit}, naive ${budget.naive})`,
    );

    // The steady-rate run starts with Milvus Lite's memtable flushed and the background work that follows
    // (compaction, HNSW builds) settled: Lite flushes synchronously every 128 MB of writes and then builds
    // indexes on a thread that, on 2 cores, stalls every call for seconds (README, Freshness). Started with
    // a memtable the bulk phases left part-full, the 60 s window would measure that flush, not the pipeline.
    const flushStarted = Date.now();
    await milvus.flushSync({ collection_names: [`${collection}_v1`, `${collection}_tombstones`] });
    const flushMs = Date.now() - flushStarted;
    const settled = await waitForQuietCpu({ timeoutMs: quick ? 10_000 : 180_000 });
    say(
      `freshness: ${segments.freshness.length} events at ${RATE}/s (Milvus flushed in ${flushMs} ms; machine ${settled.quiet ? 'quiet' : 'still busy'} after ${(settled.waitedMs / 1000).toFixed(0)} s: ${(settled.busy * 100).toFixed(0)} % CPU)`,
    );
    const histBefore = parseHistogram(await writerSvc.metrics(), 'freshet_freshness_seconds');
    const stageSvcs = { router: routerSvc, embedder, writer: writerSvc };
    const scrapeAll = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(stageSvcs).map(async ([k, s]) => [k, await s.metrics()] as const)),
      ) as Record<keyof typeof stageSvcs, string>;
    const metricsBefore = await scrapeAll();
    /** `events` at the steady rate through the running pipeline, every 10th polled, then drained. */
    const steadyRun = async (events: readonly ProductEvent[]) => {
      const run = await runFreshness({
        bk,
        topic: sets.pipeline.input,
        events,
        rate: RATE,
        sampleEvery: 10,
        milvus,
        collection,
        settleMs: 30000,
      });
      await waitLagZero(bk, drainedPairs, 5 * 60 * 1000);
      return run;
    };
    const liveCpu = new CpuMeter({
      router: routerSvc.pid,
      embedder: embedder.pid,
      writer: writerSvc.pid,
      ...sharedProcesses(api),
    });
    const fresh = await steadyRun(segments.freshness);
    const liveCpuSeconds = liveCpu.stop();
    say(
      `  CPU-s over the run: ${Object.entries(liveCpuSeconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    const metricsAfter = await scrapeAll();
    const cycles = {
      router: stageCycle('router', metricsBefore.router, metricsAfter.router),
      embedder: stageCycle('embedder', metricsBefore.embedder, metricsAfter.embedder),
      writer: stageCycle('writer', metricsBefore.writer, metricsAfter.writer),
    };
    for (const [stage, c] of Object.entries(cycles))
      say(
        `  ${stage}: ${c.batches} batches, mean ${c.meanBatchMs.toFixed(0)} ms, ${c.meanBatchSize.toFixed(1)} records${
          c.milvus
            ? `; milvus ${Object.entries(c.milvus)
                .map(([op, m]) => `${op} ${m.calls}× ${m.meanMs.toFixed(0)} ms`)
                .join(', ')}`
            : ''
        }${c.stateCache ? `; state cache ${c.stateCache.hits} hits, ${c.stateCache.misses} misses` : ''}`,
      );
    const hops = await hopBreakdown(bk, sets.pipeline, fresh.samples, fresh.startedAt, `bench.${id}`);
    say(
      `  hops p50: router ${hops.router.p50Ms} ms, embedder ${hops.embedder.p50Ms} ms, writer+query ${hops.writer.p50Ms} ms`,
    );
    for (const [kind, h] of Object.entries(hops.byKind))
      say(
        `    ${kind} p50/p99: router ${h.router.p50Ms}/${h.router.p99Ms} ms, embedder ${h.embedder.p50Ms}/${h.embedder.p99Ms} ms, writer+query ${h.writer.p50Ms}/${h.writer.p99Ms} ms`,
      );
    const hist = bucketDelta(
      parseHistogram(await writerSvc.metrics(), 'freshet_freshness_seconds'),
      histBefore,
    );
    const ms = fresh.samples.map((s) => s.ms);
    say(
      `  p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms over ${ms.length} samples (${fresh.missed} missed)`,
    );
    const byKind = {
      passThrough: quantiles(fresh.samples.filter((x) => isPriceStock(x.type))),
      // Price/stock changes with no text change of their product in the second before, and those with one
      // (they wait for its embedding: per-key order).
      passThroughAlone: quantiles(fresh.samples.filter((x) => isPriceStock(x.type) && !x.behindText)),
      passThroughBehindText: quantiles(fresh.samples.filter((x) => x.behindText)),
      text: quantiles(fresh.samples.filter((x) => x.type === 'UPDATE' || x.type === 'CREATE')),
    };
    say(
      `  price/stock p50 ${byKind.passThrough.p50Ms} ms, text p50 ${byKind.text.p50Ms} ms; price/stock behind a text of their product ${byKind.passThroughBehindText.samples} of ${byKind.passThrough.samples}`,
    );

    // The same services and rate with the texts (and creates, deletes) left out of the stream: how fresh a
    // price or stock change is when nothing of its product is being embedded ahead of it.
    for (const e of segments.freshness) fold.apply(e);
    const priceStockEvents = segments.priceStock
      .filter((e) => isPriceStock(e.type) && fold.product(e.productId) !== undefined)
      .slice(0, RATE * SIZES.priceStockSeconds);
    say(`freshness, price/stock changes only: ${priceStockEvents.length} events at ${RATE}/s`);
    const priceStockRun = await steadyRun(priceStockEvents);
    const priceStockOnly = {
      offeredRate: priceStockRun.offeredRate,
      achievedRate: priceStockRun.achievedRate,
      missed: priceStockRun.missed,
      ...quantiles(priceStockRun.samples),
    };
    say(
      `  p50 ${priceStockOnly.p50Ms} ms, p99 ${priceStockOnly.p99Ms} ms over ${priceStockOnly.samples} samples (${priceStockOnly.missed} missed)`,
    );

    const memory = {
      router: { ...routerSvc.memory(), stageAlonePeakRssMb: alonePeak.router },
      embedder: { ...embedder.memory(), stageAlonePeakRssMb: alonePeak.embedder },
      writer: { ...writerSvc.memory(), stageAlonePeakRssMb: alonePeak.writer },
    };
    for (const s of [routerSvc, embedder, writerSvc]) await stop(s);

    say(`naive baseline: at most ${SIZES.naiveSeconds} s over the same events`);
    await createPhysical(milvus, naiveCollection, BENCH_MODEL.dimension);
    await api.reset();
    const naiveProbe = naiveFold.clone();
    const naive = await runNaive({
      bk,
      topic: sets.pipeline.input,
      groupId: `bench.${id}.naive`,
      fold: naiveFold,
      spec: BENCH_MODEL,
      apiUrl: api.url,
      milvus,
      collection: naiveCollection,
      maxEvents: segments.pipeline.length,
      maxSeconds: SIZES.naiveSeconds,
    });
    const naiveApi = await api.stats();
    // What the projection says for a prefix of the same size (the naive consumer interleaves partitions).
    const prefix = tokenBudget(naiveProbe, segments.pipeline.slice(0, naive.events), countTokens);
    say(
      `  ${naive.eventsPerSecond.toFixed(1)} events/s, ${naiveApi.tokens} tokens for ${naive.events} events`,
    );

    const backlog = await runBacklogs();

    load.stop();
    const partialResults: Omit<BenchResults, 'targets'> = {
      schema: 1,
      mode: quick ? 'quick' : 'full',
      runId: id,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: machineInfo(load.stop()),
      config: {
        catalog: SIZES.catalog,
        stageEvents: segments.stages.length,
        pipelineEvents: segments.pipeline.length,
        partitions: PARTITIONS,
        apiLatencyMs: latencyMs,
        model: BENCH_MODEL.model,
        dimension: BENCH_MODEL.dimension,
        mix: Object.fromEntries(Object.entries(mix).map(([k, v]) => [k, v / segments.stages.length])),
        serviceEnv: passEnv,
        serviceNodeOptions,
      },
      throughput: {
        producer: producerRate,
        router,
        embedderPassthrough,
        embedderMixed,
        writer,
        pipeline,
        naive: { events: naive.events, seconds: naive.seconds, eventsPerSecond: naive.eventsPerSecond },
      },
      milvus: {
        points: fill.points,
        bestUpsert,
        partial,
        mixCeiling: ceiling,
        catalogFillSeconds: fill.seconds,
      },
      freshness: {
        offeredRate: fresh.offeredRate,
        achievedRate: fresh.achievedRate,
        seconds: fresh.seconds,
        samples: fresh.samples.length,
        missed: fresh.missed,
        missedEvents: fresh.missedEvents,
        superseded: fresh.superseded,
        p50Ms: percentile(ms, 50),
        p99Ms: percentile(ms, 99),
        maxMs: ms.length > 0 ? Math.max(...ms) : Number.NaN,
        writerHistogram: {
          count: hist[hist.length - 1]?.count ?? 0,
          p50Ms: histogramQuantile(hist, 0.5) * 1000,
          p99Ms: histogramQuantile(hist, 0.99) * 1000,
        },
        byKind,
        series: fresh.samples.map(({ at, ms, type, behindText }) => ({ at, ms, type, behindText })),
        priceStockOnly,
        hops,
        cycles,
        settled: { flushMs, ...settled },
        cpuSeconds: liveCpuSeconds,
        events: segments.freshness.length,
      },
      tokens: {
        pipeline: pipelineApi.tokens,
        pipelineRequests: pipelineApi.embedded,
        pipelineInputs: pipelineApi.inputs,
        naiveProjected: budget.naive,
        limit: budget.limit,
        freshTexts: budget.freshTexts,
        naiveMeasured: {
          events: naive.events,
          tokens: naiveApi.tokens,
          perEvent: naive.events > 0 ? naiveApi.tokens / naive.events : Number.NaN,
          projectedPerEvent: naive.events > 0 ? prefix.naive / naive.events : Number.NaN,
        },
        stageSegment: { spent: stageTokens, limit: stageBudget.limit },
      },
      memory,
      backlog,
    };
    const results: BenchResults = { ...partialResults, targets: evaluateTargets(partialResults) };
    mkdirSync(outDir, { recursive: true });
    const name = quick ? 'quick' : 'latest';
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(outDir, `${name}.md`), markdown(results).replace('(latest.svg)', `(${name}.svg)`));
    writeFileSync(join(outDir, `${name}.svg`), svgChart(results));
    for (const t of results.targets)
      say(`${t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value} (goal ${t.goal})`);
    say(`results in ${join(outDir, `${name}.{json,md,svg}`)} after ${Math.round(results.durationSeconds)} s`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
