import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createPhysical, dropAll, dropPhysical, getRows, type MilvusClient } from '@freshet/milvus';
import { contentHash, embeddingText, type ProductEvent } from '@freshet/schemas';
import { buildOracle, generateEvents, type StreamItem } from '@freshet/testkit';
import { CpuMeter, pidListeningOn } from './cpu.js';
import {
  type BenchKafka,
  createTopics,
  produceEvents,
  STACK,
  type TopicSet,
  topicSet,
  waitLagZero,
} from './kafka.js';
import { waitForQuietCpu } from './machine.js';
import { type FakeApiProcess, procMemory, REPO_ROOT, type ServiceProcess, type Stage } from './processes.js';
import type { SeedStyleOptions, SeedStyleReport } from './seed-style.js';
import { BENCH_MODEL, LOCAL_DEFAULT_MODEL, type ModelSpec, templateVersionOf } from './workload.js';

/**
 * Backlog segments (issue 13): the DESIGN §8 mix pre-filled on the input topic (creates of a fresh catalog
 * first, then the mix over it, Zipf ids), drained by the whole freshet pipeline and, on the same events,
 * by the seed-style baseline (seed-style.ts), each into its own fresh collection and checked against the
 * oracle. Reported per run: events/s, the fake server's tokens, the CPU seconds of every process from
 * /proc and the services' peak RSS.
 */

export type BacklogSystem = 'freshet' | 'seedStyle';

export interface OracleCheck {
  rows: number;
  lost: number;
  stale: number;
  ghost: number;
}

export interface BacklogSystemRun {
  events: number;
  /** From joining the group (the router's, or the baseline's) to the last event written. */
  seconds: number;
  eventsPerSecond: number;
  tokens: number;
  requests: number;
  inputs: number;
  /** CPU seconds over the run, per process (router, embedder, writer or seedStyle; kafka, milvus, fakeApi). */
  cpuSeconds: Record<string, number>;
  /** Peak RSS (MB) of the system's own processes over the run. */
  peakRssMb: Record<string, number>;
  oracle: OracleCheck;
  /** Seed-style only: what its last, partial batch waited for the 2 s linger (included in `seconds`). */
  finalLingerMs?: number;
}

/** `openai`: the fake API at the run's latency; `local`: the default model in the embedder, no API at all. */
export type BacklogProvider = 'openai' | 'local';

export interface BacklogRun {
  label: string;
  latencyMs: number;
  provider: BacklogProvider;
  creates: number;
  mixEvents: number;
  events: number;
  freshet?: BacklogSystemRun;
  seedStyle?: BacklogSystemRun;
  /** The same pipeline drain with another checkout's services (BENCH_REFERENCE_ROOT), in the same run. */
  reference?: BacklogSystemRun & { root: string };
  /**
   * With more than one round: every drain of each system, in the order they ran. `freshet`, `seedStyle`
   * and `reference` above are then each system's median drain by events/s.
   */
  drains?: Partial<Record<BacklogEntrant, BacklogSystemRun[]>>;
}

/** Who drains a backlog segment: the pipeline, the baseline, or another checkout's pipeline. */
export type BacklogEntrant = BacklogSystem | 'reference';

/** The drain with the median events/s (of an even count, the lower of the middle two). */
export function medianDrain<T extends BacklogSystemRun>(drains: readonly T[]): T | undefined {
  const sorted = [...drains].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The label of round `round`'s topics and collections (round 0 keeps the segment's own names). */
export const roundLabel = (label: string, round: number) => (round === 0 ? label : `${label}r${round}`);

export interface BacklogContext {
  id: string;
  bk: BenchKafka;
  milvus: MilvusClient;
  seed: number;
  partitions: number;
  say(message: string): void;
  startFakeApi(latencyMs: number): Promise<FakeApiProcess>;
  /** Starts a service on a topic set, writing to `collection`, against the API at `apiUrl` (or `local`). */
  startService(
    stage: Stage,
    set: TopicSet,
    collection: string,
    apiUrl: string,
    root?: string,
    provider?: BacklogProvider,
  ): Promise<ServiceProcess>;
  stopService(service: ServiceProcess): Promise<void>;
}

/** `creates` CREATE events of a fresh catalog, then `mix` events of the DESIGN §8 mix over it. */
export function backlogItems(seed: number, creates: number, mix: number): StreamItem[] {
  return generateEvents({ seed, catalogSize: creates, count: mix, warmUp: true, now: Date.now() });
}

const port = (hostPort: string) => Number(new URL(`tcp://${hostPort}`).port);

/** The shared processes whose CPU every run reports besides its own: the broker, Milvus, the fake API. */
export function sharedProcesses(api: FakeApiProcess): Record<string, number> {
  const out: Record<string, number> = { fakeApi: api.pid };
  const kafka = pidListeningOn(port(STACK.kafka.split(',')[0] ?? ''));
  const milvus = pidListeningOn(port(STACK.milvus));
  if (kafka !== undefined) out.kafka = kafka;
  if (milvus !== undefined) out.milvus = milvus;
  return out;
}

async function checkOracle(
  milvus: MilvusClient,
  collection: string,
  items: readonly StreamItem[],
  templateVersion: number = BENCH_MODEL.templateVersion,
  embeddedWith: ModelSpec = BENCH_MODEL,
): Promise<OracleCheck> {
  const model = { ...embeddedWith, templateVersion };
  const oracle = buildOracle(items, {
    embeddingText: (p) => embeddingText(p, { templateVersion, attributes: model.attributes }),
    contentHash: (t) => contentHash(t, model),
  });
  // By id, not allRows: allRows pages with `product_id > last` over limit-5000 queries, and Milvus Lite
  // returns a page's rows in segment order, not key order, so past 5,000 rows it skips some.
  const rows = await getRows(milvus, collection, [...oracle.keys()]);
  const diff = oracle.diffAgainst(rows);
  // Rows under ids the stream never had would be ghosts too: the collection holds exactly `rows`.
  const counted = await milvus.query({ collection_name: collection, output_fields: ['count(*)'] });
  const total = Number((counted.data[0] as Record<string, unknown> | undefined)?.['count(*)'] ?? 0);
  return {
    rows: total,
    lost: diff.lost.length,
    stale: diff.stale.length,
    ghost: diff.ghost.length + Math.max(0, total - rows.length),
  };
}

const oracleText = (o: OracleCheck) =>
  o.lost + o.stale + o.ghost === 0
    ? `equal to the oracle (${o.rows} rows)`
    : `NOT equal to the oracle: ${o.lost} lost, ${o.stale} stale, ${o.ghost} ghost of ${o.rows} rows`;

/** The whole pipeline drains the pre-filled input topic of `set` into `collection`. */
async function drainFreshet(
  ctx: BacklogContext,
  set: TopicSet,
  collection: string,
  api: FakeApiProcess,
  items: readonly StreamItem[],
  root?: string,
  provider: BacklogProvider = 'openai',
): Promise<BacklogSystemRun> {
  await api.reset();
  const services: ServiceProcess[] = [];
  try {
    const embedder = await ctx.startService('embedder', set, collection, api.url, root, provider);
    services.push(embedder);
    const writer = await ctx.startService('writer', set, collection, api.url, root, provider);
    services.push(writer);
    const router = await ctx.startService('router', set, collection, api.url, root, provider);
    services.push(router);
    const meter = new CpuMeter({
      router: router.pid,
      embedder: embedder.pid,
      writer: writer.pid,
      ...sharedProcesses(api),
    });
    const t0 = await waitFor(() => router.assignedAt(), 'router partitions assigned');
    const t1 = await waitLagZero(
      ctx.bk,
      [
        { group: set.groups.router, topic: set.input },
        { group: set.groups.embedder, topic: set.embed },
        { group: set.groups.writer, topic: set.index },
      ],
      20 * 60 * 1000,
    );
    const cpuSeconds = meter.stop();
    const stats = await api.stats();
    const peakRssMb = Object.fromEntries(services.map((s) => [s.stage, s.memory().hwmMb]));
    return {
      events: items.length,
      seconds: (t1 - t0) / 1000,
      eventsPerSecond: items.length / ((t1 - t0) / 1000),
      tokens: stats.tokens,
      requests: stats.requests,
      inputs: stats.inputs,
      cpuSeconds,
      peakRssMb,
      oracle: await checkOracle(
        ctx.milvus,
        collection,
        items,
        await templateVersionOf(root),
        provider === 'local' ? LOCAL_DEFAULT_MODEL : BENCH_MODEL,
      ),
    };
  } finally {
    for (const s of services) await ctx.stopService(s).catch(() => {});
  }
}

/** The seed-style baseline (its own process) drains the same input topic into its own collection. */
async function drainSeedStyle(
  ctx: BacklogContext,
  set: TopicSet,
  collection: string,
  api: FakeApiProcess,
  items: readonly StreamItem[],
): Promise<BacklogSystemRun> {
  await api.reset();
  await createPhysical(ctx.milvus, collection, BENCH_MODEL.dimension);
  const options: SeedStyleOptions = {
    brokers: STACK.kafka,
    registry: STACK.registry,
    milvus: STACK.milvus,
    topic: set.input,
    groupId: `${set.groups.router}.seed-style`,
    collection,
    apiUrl: api.url,
    model: BENCH_MODEL.model,
    dimension: BENCH_MODEL.dimension,
    templateVersion: BENCH_MODEL.templateVersion,
    attributes: [...BENCH_MODEL.attributes],
    expect: items.length,
  };
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bench/dist/seed-style-main.js')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      BENCH_SEED_STYLE: JSON.stringify(options),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  let meter: CpuMeter | undefined;
  let peakRss = 0;
  const rss = setInterval(() => {
    peakRss = Math.max(peakRss, procMemory(pid)?.hwmMb ?? 0);
  }, 250);
  try {
    const report = await new Promise<SeedStyleReport>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line === 'ready') meter = new CpuMeter({ seedStyle: pid, ...sharedProcesses(api) });
        else if (line.startsWith('{')) resolve(JSON.parse(line) as SeedStyleReport);
      });
      child.once('exit', (code) => reject(new Error(`seed-style baseline exited with ${code}`)));
      setTimeout(
        () => reject(new Error('seed-style baseline did not finish in 20 min')),
        20 * 60 * 1000,
      ).unref();
    });
    const cpuSeconds = meter?.stop() ?? {};
    peakRss = Math.max(peakRss, procMemory(pid)?.hwmMb ?? 0);
    const stats = await api.stats();
    const seconds = (report.doneAt - report.joinedAt) / 1000;
    return {
      events: report.events,
      seconds,
      eventsPerSecond: report.events / seconds,
      tokens: stats.tokens,
      requests: stats.requests,
      inputs: stats.inputs,
      cpuSeconds,
      peakRssMb: { seedStyle: peakRss },
      oracle: await checkOracle(ctx.milvus, collection, items),
      finalLingerMs: report.finalLingerMs,
    };
  } finally {
    clearInterval(rss);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
    await ctx.bk.admin.deleteGroups([options.groupId]).catch(() => {});
  }
}

async function waitFor(get: () => number | undefined, what: string): Promise<number> {
  const deadline = Date.now() + 60000;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One backlog segment at one API latency: the events pre-filled on a fresh input topic, then drained by
 * each system in turn, each into a fresh collection, dropped at the end (the topics go with the bench's clean-up).
 * With `rounds` > 1 every system drains it that many times, each round starting with the next system (so none
 * always drains first, right after the pre-fill, or last), and the median drain of each is reported: on 2
 * shared vCPUs one drain's CPU and events/s move ±10 % from run to run.
 */
export async function runBacklog(
  ctx: BacklogContext,
  options: {
    label: string;
    items: readonly StreamItem[];
    creates: number;
    latencyMs: number;
    systems: readonly BacklogSystem[];
    /** Also drain with the services of this checkout (groups and collection of their own). */
    referenceRoot?: string;
    /** Default `openai`; `local` drains freshet only (the baseline is written for an API). */
    provider?: BacklogProvider;
    /** Drains per system (default 1). */
    rounds?: number;
  },
): Promise<BacklogRun> {
  const { label, items, latencyMs } = options;
  const provider = options.provider ?? 'openai';
  const rounds = Math.max(1, options.rounds ?? 1);
  const set = topicSet(ctx.id, label);
  // Round r's names: a topic set of its own reading the same input (the embed and index topics hold the
  // earlier drains' output, and the groups their offsets), and collections of its own.
  const names = (round: number) => {
    const own = roundLabel(label, round);
    const base = `bench_${ctx.id}_${own}`;
    return {
      set: round === 0 ? set : { ...topicSet(ctx.id, own), input: set.input },
      refSet: { ...topicSet(ctx.id, `${own}ref`), input: set.input },
      collection: base,
      seedCollection: `${base}_seed`,
      refCollection: `${base}ref`,
    };
  };
  const api = await ctx.startFakeApi(latencyMs);
  const run: BacklogRun = {
    label,
    latencyMs,
    provider,
    creates: options.creates,
    mixEvents: items.length - options.creates,
    events: items.length,
  };
  const entrants: BacklogEntrant[] = [
    ...options.systems,
    ...(options.referenceRoot ? (['reference'] as const) : []),
  ];
  const drains: Partial<Record<BacklogEntrant, BacklogSystemRun[]>> = {};
  try {
    await createTopics(ctx.bk, set, ctx.partitions);
    const events = items.map((item) => {
      if (item.kind !== 'event') throw new Error(`unexpected ${item.kind} in a backlog without faults`);
      return item.event;
    }) as ProductEvent[];
    await produceEvents(ctx.bk, set.input, events);
    for (let round = 0; round < rounds; round++) {
      const n = names(round);
      const order = entrants.map((_, i) => entrants[(i + round) % entrants.length] as BacklogEntrant);
      for (const entrant of order) {
        // Milvus Lite compacts and indexes after a bulk load; the next run should not pay for the last one's.
        await waitForQuietCpu({ timeoutMs: 30_000 });
        const what =
          entrant === 'freshet'
            ? 'freshet pipeline'
            : entrant === 'seedStyle'
              ? 'seed-style baseline'
              : `freshet pipeline of ${options.referenceRoot} (reference)`;
        ctx.say(
          `  ${label}${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}: ${what}, ${provider === 'local' ? 'the local model' : `${latencyMs} ms API`}`,
        );
        let result: BacklogSystemRun;
        if (entrant === 'freshet') {
          if (round > 0) await createTopics(ctx.bk, n.set, ctx.partitions);
          result = await drainFreshet(ctx, n.set, n.collection, api, items, undefined, provider);
        } else if (entrant === 'seedStyle') {
          result = await drainSeedStyle(ctx, n.set, n.seedCollection, api, items);
        } else {
          await createTopics(ctx.bk, n.refSet, ctx.partitions);
          result = await drainFreshet(ctx, n.refSet, n.refCollection, api, items, options.referenceRoot);
        }
        drains[entrant] = [...(drains[entrant] ?? []), result];
        const cpu = Object.entries(result.cpuSeconds)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ');
        ctx.say(
          `    ${Math.round(result.eventsPerSecond)} events/s, ${result.tokens} tokens, CPU-s ${cpu}; ${oracleText(result.oracle)}`,
        );
      }
    }
    for (const entrant of options.systems) {
      const median = medianDrain(drains[entrant] ?? []);
      if (median) run[entrant] = median;
    }
    const reference = medianDrain(drains.reference ?? []);
    // The same object as its entry in `drains`, so a report can tell which drain is the median.
    if (reference && options.referenceRoot)
      run.reference = Object.assign(reference, { root: options.referenceRoot });
    if (rounds > 1) run.drains = drains;
    return run;
  } finally {
    // The topics stay until the bench's clean-up: kafkajs' producer keeps every topic it has sent to in its
    // metadata requests, and a deleted one fails the next segment's produce (UNKNOWN_TOPIC_OR_PARTITION).
    for (let round = 0; round < rounds; round++) {
      const n = names(round);
      for (const name of [
        `${n.collection}_v1`,
        `${n.collection}_tombstones`,
        n.seedCollection,
        `${n.refCollection}_v1`,
        `${n.refCollection}_tombstones`,
      ])
        await ctx.milvus.releaseCollection({ collection_name: name }).catch(() => {});
      await dropAll(ctx.milvus, n.collection).catch(() => {});
      await dropAll(ctx.milvus, n.refCollection).catch(() => {});
      await dropPhysical(ctx.milvus, n.seedCollection).catch(() => {});
    }
    await api.stop();
  }
}
