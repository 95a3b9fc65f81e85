import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacklogRun, BacklogSystemRun } from './backlog.js';
import type { CeilingPoint } from './ceiling.js';
import type { StageCycle } from './cycle.js';
import type { FreshnessSample } from './freshness.js';
import type { HopBreakdown } from './hops.js';
import type { MachineInfo } from './machine.js';
import type { Memory, Stage } from './processes.js';

export interface Throughput {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /**
   * After the first batch was committed: excludes the first batch's warm-up (JIT, registry look-ups,
   * connections), which is a one-off of each process start. Absent for the naive run.
   */
  steady?: { events: number; seconds: number; eventsPerSecond: number };
}

export interface BenchResults {
  schema: 1;
  mode: 'quick' | 'full';
  /** Suffix of the run's topics (`bench.<runId>.…`) and collections (`bench_<runId>…`), all removed at the end. */
  runId: string;
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  config: {
    catalog: number;
    stageEvents: number;
    pipelineEvents: number;
    partitions: number;
    apiLatencyMs: number;
    model: string;
    dimension: number;
    mix: Record<string, number>;
    serviceEnv: Record<string, string>;
    /** NODE_OPTIONS the services ran with (the heap cap a container limit implies). */
    /** NODE_OPTIONS per stage (glibc's MALLOC_ARENA_MAX=2 too, as in the image). */
    serviceNodeOptions: Record<string, string>;
  };
  throughput: {
    producer: number;
    router: Throughput;
    embedderPassthrough: Throughput;
    embedderMixed: Throughput;
    writer: Throughput;
    pipeline: Throughput;
    naive: Throughput;
  };
  milvus: {
    points: CeilingPoint[];
    bestUpsert: CeilingPoint;
    partial: CeilingPoint;
    /** Milvus's ceiling for the writer's mix of full and partial writes (see ceiling.ts mixCeiling). */
    mixCeiling: number;
    catalogFillSeconds: number;
  };
  freshness: {
    offeredRate: number;
    achievedRate: number;
    seconds: number;
    samples: number;
    missed: number;
    missedEvents: Array<{ productId: string; version: number; type: string }>;
    superseded: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    /** The writer's freshet_freshness_seconds (indexed_at − occurredAt) over the same run. */
    writerHistogram: { count: number; p50Ms: number; p99Ms: number };
    /** Price/stock changes (no API call) and text changes (embedded) apart. */
    byKind: Record<
      'passThrough' | 'passThroughAlone' | 'passThroughBehindText' | 'text',
      { samples: number; p50Ms: number; p99Ms: number }
    >;
    series: Array<Pick<FreshnessSample, 'at' | 'ms' | 'type' | 'behindText'>>;
    /** A second run at the same rate of price and stock changes only (no text ahead of any of them). */
    priceStockOnly: {
      offeredRate: number;
      achievedRate: number;
      samples: number;
      missed: number;
      p50Ms: number;
      p99Ms: number;
    };
    /** Where the time goes, from the Kafka timestamps of the internal topics (see hops.ts). */
    hops: HopBreakdown;
    /** Each stage's batches during the run: how many, how long, how big; the writer's Milvus calls. */
    cycles: Record<'router' | 'embedder' | 'writer', StageCycle>;
    /** The wait for a quiet CPU before the run (after the bulk phases). */
    /** Before the run: Milvus flushed (ms), then the wait for a quiet CPU. */
    settled: { flushMs: number; waitedMs: number; busy: number; quiet: boolean };
    /** CPU seconds of every process over the steady run (from /proc), and the events it carried. */
    cpuSeconds?: Record<string, number>;
    events?: number;
  };
  tokens: {
    /** Spent by the pipeline on the whole-pipeline segment (fake server's count). */
    pipeline: number;
    pipelineRequests: number;
    pipelineInputs: number;
    /** What embedding every event's whole text costs on the same segment (same tokenizer). */
    naiveProjected: number;
    /** Tokens of the distinct texts in the segment that were never embedded before. */
    limit: number;
    freshTexts: number;
    /** The naive run itself, counted by its fake server, and what the projection says for its events. */
    naiveMeasured: { events: number; tokens: number; perEvent: number; projectedPerEvent: number };
    /** Stage-alone embedder run over the stage segment. */
    stageSegment: { spent: number; limit: number };
  };
  memory: Record<Stage, Memory & { stageAlonePeakRssMb: number }>;
  /** Issue 13's backlog segments (pipeline vs seed-style baseline) and the large backlog for memory. */
  backlog?: BacklogResults;
  targets: Target[];
}

export interface BacklogResults {
  /** One per API latency: the same backlog drained by each system. */
  runs: BacklogRun[];
  /** The large backlog (freshet only): services' RSS with default settings, against the fake API. */
  memory?: BacklogRun;
  /** The same backlog with the `local` provider: what a user without an API key runs. */
  memoryLocal?: BacklogRun;
  /** An earlier code's services' CPU per 1,000 events on the same backlog (results/earlier), for the target. */
  reference?: Reference;
}

export interface Reference {
  /** What was measured (commit, file). */
  label: string;
  latencyMs: number;
  servicesCpuPerThousand: number;
}

/** What `--backlog-only` writes (results/backlog.json). */
export interface BacklogOnlyResults {
  schema: 1;
  mode: 'backlog';
  runId: string;
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  /** The checkout the services ran from (BENCH_SERVICES_ROOT, else this one). */
  servicesRoot: string;
  serviceNodeOptions: Record<string, string>;
  serviceEnv: Record<string, string>;
  backlog: BacklogResults;
}

const SERVICES = ['router', 'embedder', 'writer', 'seedStyle'];

/** CPU seconds of the system's own processes (the three services, or the baseline). */
export function ownCpu(run: BacklogSystemRun): number {
  return Object.entries(run.cpuSeconds)
    .filter(([k]) => SERVICES.includes(k))
    .reduce((sum, [, v]) => sum + v, 0);
}

export const perThousand = (cpu: number, events: number): number => (1000 * cpu) / events;

/**
 * The reference for the CPU target: the backlog results kept in `dir` whose file name starts with
 * `reference-` (the earlier code's `--backlog-only` run), at the lowest latency it has.
 */
export function loadReference(dir: string): Reference | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith('reference-') && f.endsWith('.json'));
  } catch {
    return undefined;
  }
  const file = files.sort()[0];
  if (!file) return undefined;
  const kept = JSON.parse(readFileSync(join(dir, file), 'utf8')) as BacklogOnlyResults;
  const run = [...kept.backlog.runs].sort((a, b) => a.latencyMs - b.latencyMs).find((r) => r.freshet);
  if (!run?.freshet) return undefined;
  return {
    label: file,
    latencyMs: run.latencyMs,
    servicesCpuPerThousand: perThousand(ownCpu(run.freshet), run.freshet.events),
  };
}

export interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean;
}

/** The steady rate when measured, else the whole one. */
export const rate = (x: Throughput): number => x.steady?.eventsPerSecond ?? x.eventsPerSecond;

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export function evaluateTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const t = r.throughput;
  const out: Target[] = [
    {
      name: 'router alone',
      goal: '≥ 10,000 events/s',
      value: `${fmt(rate(t.router))} events/s steady (${fmt(t.router.eventsPerSecond)} with warm-up)`,
      met: rate(t.router) >= 10_000,
    },
    {
      name: 'embedder pass-through alone',
      goal: '≥ 10,000 events/s',
      value: `${fmt(rate(t.embedderPassthrough))} events/s steady (${fmt(t.embedderPassthrough.eventsPerSecond)} with warm-up)`,
      met: rate(t.embedderPassthrough) >= 10_000,
    },
    {
      name: 'writer alone',
      goal: `≥ 0.8 × Milvus ceiling for its mix (${fmt(r.milvus.mixCeiling)} rows/s)`,
      value: `${fmt(rate(t.writer))} events/s = ${fmt(rate(t.writer) / r.milvus.mixCeiling, 2)} ×`,
      met: rate(t.writer) >= 0.8 * r.milvus.mixCeiling,
    },
    {
      name: 'whole pipeline vs naive',
      goal: '≥ 3 × naive',
      value: `${fmt(t.pipeline.eventsPerSecond / t.naive.eventsPerSecond, 1)} ×`,
      met: t.pipeline.eventsPerSecond >= 3 * t.naive.eventsPerSecond,
    },
    {
      name: `freshness p50 at ${fmt(r.freshness.offeredRate)} events/s`,
      goal: '< 150 ms',
      value: `${fmt(r.freshness.p50Ms)} ms`,
      met: r.freshness.p50Ms < 150,
    },
    {
      name: `freshness p99 at ${fmt(r.freshness.offeredRate)} events/s`,
      goal: '< 1,000 ms',
      value: `${fmt(r.freshness.p99Ms)} ms`,
      met: r.freshness.p99Ms < 1000 && r.freshness.missed === 0,
    },
    {
      name: 'embedding tokens vs naive',
      goal: '≤ 10 % of naive',
      value: `${fmt((100 * r.tokens.pipeline) / r.tokens.naiveProjected, 1)} %`,
      met: r.tokens.pipeline <= 0.1 * r.tokens.naiveProjected,
    },
    {
      name: 'embedding tokens vs new-text limit',
      goal: '≤ 1.05 × limit',
      value: `${fmt(r.tokens.pipeline / r.tokens.limit, 3)} ×`,
      met: r.tokens.pipeline <= 1.05 * r.tokens.limit,
    },
  ];
  if (r.backlog) out.push(...backlogTargets(r.backlog));
  for (const stage of ['router', 'embedder', 'writer'] as const) {
    const m = r.memory[stage];
    out.push({
      name: `RSS ${stage}`,
      goal: '< 256 MB',
      value: `${fmt(m.hwmMb)} MB peak`,
      met: m.hwmMb < 256,
    });
  }
  return out;
}

/** Issue 13's targets on the backlog segments. */
export function backlogTargets(b: BacklogResults): Target[] {
  const out: Target[] = [];
  const goals: Record<number, number> = { 20: 2, 150: 4 };
  for (const run of b.runs) {
    const f = run.freshet;
    const s = run.seedStyle;
    if (!f || !s) continue;
    const goal = goals[run.latencyMs];
    if (goal !== undefined)
      out.push({
        name: `backlog, ${run.latencyMs} ms API: pipeline vs seed-style`,
        goal: `≥ ${goal} × events/s`,
        value: `${fmt(f.eventsPerSecond / s.eventsPerSecond, 2)} × (${fmt(f.eventsPerSecond)} vs ${fmt(s.eventsPerSecond)} events/s)`,
        met: f.eventsPerSecond >= goal * s.eventsPerSecond,
      });
    out.push({
      name: `backlog, ${run.latencyMs} ms API: tokens vs seed-style`,
      goal: '≤ 1.0 ×',
      value: `${fmt(f.tokens / s.tokens, 3)} × (${fmt(f.tokens)} vs ${fmt(s.tokens)})`,
      met: f.tokens <= s.tokens,
    });
  }
  const first = [...b.runs].sort((x, y) => x.latencyMs - y.latencyMs).find((r) => r.freshet);
  // The earlier code measured in the same run when there is one, else the kept result.
  const reference: Reference | undefined = first?.reference
    ? {
        label: `${first.reference.root} (same run)`,
        latencyMs: first.latencyMs,
        servicesCpuPerThousand: perThousand(ownCpu(first.reference), first.reference.events),
      }
    : b.reference;
  if (first?.freshet && reference && reference.latencyMs === first.latencyMs) {
    const now = perThousand(ownCpu(first.freshet), first.freshet.events);
    out.push({
      name: `backlog, ${first.latencyMs} ms API: services' CPU-s per 1,000 events vs ${reference.label}`,
      goal: '≤ 0.5 ×',
      value: `${fmt(now / reference.servicesCpuPerThousand, 2)} × (${fmt(now, 2)} vs ${fmt(reference.servicesCpuPerThousand, 2)})`,
      met: now <= 0.5 * reference.servicesCpuPerThousand,
    });
  }
  const systems = allRuns(b).flatMap((r) => everyDrain(r).map(({ k, x }) => ({ r, k, x })));
  const wrong = systems.filter(({ x }) => x.oracle.lost + x.oracle.stale + x.oracle.ghost > 0);
  out.push({
    name: 'backlog: Milvus equal to the oracle after each drain',
    goal: '0 lost, 0 stale, 0 ghost',
    value:
      wrong.length === 0
        ? `${systems.length} of ${systems.length} drains`
        : wrong
            .map(({ r, k, x }) => `${r.label} ${k}: ${x.oracle.lost}/${x.oracle.stale}/${x.oracle.ghost}`)
            .join('; '),
    met: wrong.length === 0,
  });
  for (const run of [b.memory, b.memoryLocal])
    if (run?.freshet)
      for (const stage of ['router', 'embedder', 'writer']) {
        const mb = run.freshet.peakRssMb[stage] ?? Number.NaN;
        out.push({
          name: `RSS ${stage}, ${fmt(run.events)}-event backlog, default settings, ${run.provider === 'local' ? 'local model (no API key)' : 'API'}`,
          goal: '< 256 MB',
          value: `${fmt(mb)} MB peak`,
          met: mb < 256,
        });
      }
  return out;
}

/** Every backlog drain of a run: the segments, then the memory backlogs. */
function allRuns(b: BacklogResults): BacklogRun[] {
  return [...b.runs, ...(b.memory ? [b.memory] : []), ...(b.memoryLocal ? [b.memoryLocal] : [])];
}

const SYSTEMS = ['freshet', 'seedStyle', 'reference'] as const;

/** Every drain of a segment: all rounds when it ran more than one, else each system's one drain. */
function everyDrain(
  r: BacklogRun,
): Array<{ k: (typeof SYSTEMS)[number]; round: number; x: BacklogSystemRun }> {
  return SYSTEMS.flatMap((k) => {
    const drains = r.drains?.[k] ?? (r[k] ? [r[k]] : []);
    return drains.map((x, round) => ({ k, round, x }));
  });
}

const systemName = (run: BacklogRun, k: (typeof SYSTEMS)[number]) =>
  k === 'freshet' ? 'freshet' : k === 'seedStyle' ? 'seed-style' : `freshet of ${run.reference?.root}`;

const cpuCell = (run: BacklogSystemRun, key: string) =>
  run.cpuSeconds[key] === undefined ? '—' : fmt(run.cpuSeconds[key] as number, 1);

/** The backlog section of the Markdown results. */
export function backlogMarkdown(b: BacklogResults): string[] {
  const rows: string[] = [];
  for (const run of allRuns(b))
    for (const k of SYSTEMS) {
      const x = run[k];
      if (!x) continue;
      const name = systemName(run, k);
      rows.push(
        `| ${fmt(run.creates)} + ${fmt(run.mixEvents)}, ${run.provider === 'local' ? 'local model, no API' : `${run.latencyMs} ms`} | ${name} | ${fmt(x.eventsPerSecond)} | ${fmt(x.tokens)} | ${cpuCell(x, 'router')} | ${cpuCell(x, 'embedder')} | ${cpuCell(x, 'writer')} | ${cpuCell(x, 'seedStyle')} | ${cpuCell(x, 'kafka')} | ${cpuCell(x, 'milvus')} | ${fmt(perThousand(ownCpu(x), x.events), 2)} | ${fmt(perThousand(ownCpu(x) + (x.cpuSeconds.kafka ?? 0) + (x.cpuSeconds.milvus ?? 0), x.events), 2)} | ${Object.entries(
          x.peakRssMb,
        )
          .map(([s, mb]) => `${s} ${fmt(mb)}`)
          .join(
            ', ',
          )} | ${x.oracle.lost + x.oracle.stale + x.oracle.ghost === 0 ? `equal (${fmt(x.oracle.rows)} rows)` : `**${x.oracle.lost} lost, ${x.oracle.stale} stale, ${x.oracle.ghost} ghost**`} |`,
      );
    }
  const rounds = b.runs.filter((r) => r.drains);
  const drainRows = rounds.flatMap((r) =>
    everyDrain(r).map(({ k, round, x }) => {
      const median = r[k] === x;
      return `| ${r.latencyMs} ms | ${systemName(r, k)} | ${round + 1}${median ? ' (median)' : ''} | ${fmt(x.eventsPerSecond)} | ${fmt(perThousand(ownCpu(x), x.events), 2)} | ${fmt(perThousand(ownCpu(x) + (x.cpuSeconds.kafka ?? 0) + (x.cpuSeconds.milvus ?? 0), x.events), 2)} |`;
    }),
  );
  const ratios = b.runs
    .filter((r) => r.freshet && r.seedStyle)
    .map((r) => {
      const f = r.freshet as BacklogSystemRun;
      const s = r.seedStyle as BacklogSystemRun;
      return `| ${r.latencyMs} ms | ${fmt(f.eventsPerSecond / s.eventsPerSecond, 2)} × | ${fmt(f.tokens / s.tokens, 3)} × | ${fmt(ownCpu(f) / ownCpu(s), 2)} × | ${fmt(s.finalLingerMs ?? 0)} ms |`;
    });
  return [
    '## Backlog: whole pipeline vs seed-style baseline (issue 13)',
    '',
    'The DESIGN §8 mix pre-filled on a fresh input topic (creates of a fresh catalog first, then the mix over it, Zipf ids), drained by the three services (from the router joining its group to every lag 0), and on the same events by the seed-style baseline (one process: batches of 100 events or 2 s, the last event of each product in a batch wins, a content-hash cache with a 1 h TTL, one API call per batch of new texts, one upsert per batch plus its deletes and partial updates, auto-commit; `bench/src/seed-style.ts`), each into its own fresh collection and then compared with the oracle. CPU seconds are utime + stime from /proc over the run; Kafka and Milvus Lite are shared with other work on this machine, so their share is an upper bound.',
    '',
    '| backlog, API | system | events/s | tokens | router CPU-s | embedder CPU-s | writer CPU-s | seed-style CPU-s | Kafka CPU-s | Milvus CPU-s | own CPU-s / 1,000 events | with Kafka + Milvus / 1,000 | peak RSS MB | Milvus after the drain |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    "| API | freshet / seed-style events/s | tokens | own CPU-s | seed-style's last batch waited for the linger |",
    '|---|---|---|---|---|',
    ...ratios,
    '',
    ...(drainRows.length > 0
      ? [
          "Each segment was drained several times by every system, each round starting with the next system; the rows above are each system's median drain by events/s, and every drain is below (round, events/s, own CPU-s per 1,000 events, with Kafka + Milvus).",
          '',
          '| API | system | round | events/s | own CPU-s / 1,000 | with Kafka + Milvus / 1,000 |',
          '|---|---|---|---|---|---|',
          ...drainRows,
          '',
        ]
      : []),
    ...(b.reference
      ? [
          `Reference for the CPU target: ${b.reference.label}, services' CPU-s per 1,000 events ${fmt(b.reference.servicesCpuPerThousand, 2)} at ${b.reference.latencyMs} ms.`,
          '',
        ]
      : []),
  ];
}

/** One line per run, for the console. */
export function backlogSummary(b: BacklogResults): string[] {
  const lines: string[] = [];
  for (const run of allRuns(b))
    for (const k of ['freshet', 'seedStyle', 'reference'] as const) {
      const x = run[k];
      if (x)
        lines.push(
          `${run.label} ${k}: ${fmt(x.eventsPerSecond)} events/s, ${fmt(x.tokens)} tokens, own CPU-s ${fmt(ownCpu(x), 1)} = ${fmt(perThousand(ownCpu(x), x.events), 2)} per 1,000 events (${Object.entries(
            x.cpuSeconds,
          )
            .map(([p, v]) => `${p} ${fmt(v, 1)}`)
            .join(', ')}), peak RSS ${Object.entries(x.peakRssMb)
            .map(([p, v]) => `${p} ${fmt(v)}`)
            .join(', ')} MB`,
        );
    }
  for (const t of backlogTargets(b))
    lines.push(`${t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value} (goal ${t.goal})`);
  return lines;
}

export function backlogOnlyMarkdown(r: BacklogOnlyResults): string {
  const m = r.machine;
  return [
    '# freshet bench (backlog only)',
    '',
    `${r.startedAt}, ${fmt(r.durationSeconds)} s. Machine: ${m.cores} cores (${m.cpuModel}), ${fmt(m.memoryGb, 1)} GB, Node ${m.node}. Load average (1 min): start ${fmt(m.load.start, 2)}, mean ${fmt(m.load.mean, 2)}, max ${fmt(m.load.max, 2)}.`,
    `Services from ${r.servicesRoot} (started by its deploy/local/service when it has one, else \`node main.js\` with this checkout's launcher defaults); extra NODE_OPTIONS ${Object.entries(
      r.serviceNodeOptions,
    )
      .map(([stage, o]) => `${stage} \`${o || '(none)'}\``)
      .join(', ')}.`,
    '',
    '| target | goal | measured | met |',
    '|---|---|---|---|',
    ...backlogTargets(r.backlog).map(
      (x) => `| ${x.name} | ${x.goal} | ${x.value} | ${x.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...backlogMarkdown(r.backlog),
  ].join('\n');
}

export function markdown(r: BenchResults): string {
  const m = r.machine;
  const t = r.throughput;
  const lines = [
    `# freshet bench (${r.mode})`,
    '',
    `${r.startedAt}, ${fmt(r.durationSeconds)} s. Machine: ${m.cores} cores (${m.cpuModel}), ${fmt(m.memoryGb, 1)} GB, Node ${m.node}, ${m.platform}.`,
    `Load average (1 min) during the run: start ${fmt(m.load.start, 2)}, mean ${fmt(m.load.mean, 2)}, max ${fmt(m.load.max, 2)}, end ${fmt(m.load.end, 2)}.`,
    '',
    `Workload: warm catalog of ${fmt(r.config.catalog)} products in Milvus; ${fmt(r.config.stageEvents)} events per stage-alone run and ${fmt(r.config.pipelineEvents)} for the whole pipeline; mix ${Object.entries(
      r.config.mix,
    )
      .map(([k, v]) => `${k} ${fmt(100 * v, 1)} %`)
      .join(
        ', ',
      )}; Zipf ids; ${r.config.partitions} partitions; one instance of each service; fake OpenAI API with ${r.config.apiLatencyMs} ms per request, ${r.config.model} at ${r.config.dimension} dimensions. Services started as users start them (deploy/local/service: its default NODE_OPTIONS and node flags, the image's and the chart's), with MALLOC_ARENA_MAX=2 (as in the image) and extra NODE_OPTIONS ${Object.entries(
      r.config.serviceNodeOptions,
    )
      .map(([stage, o]) => `${stage} \`${o || '(none)'}\``)
      .join(', ')}${
      Object.keys(r.config.serviceEnv).length > 0
        ? ` and ${Object.entries(r.config.serviceEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : ''
    }.`,
    '',
    '## Targets',
    '',
    '| target | goal | measured | met |',
    '|---|---|---|---|',
    ...r.targets.map((x) => `| ${x.name} | ${x.goal} | ${x.value} | ${x.met ? 'yes' : '**no**'} |`),
    '',
    '## Throughput (events/s, one instance)',
    '',
    '| run | events | seconds | events/s (from joining the group, warm-up included) | steady events/s (after the first commit) |',
    '|---|---|---|---|---|',
    ...(
      [
        ['router alone (realistic mix)', t.router],
        ['embedder alone, pass-through only (price/stock/delete)', t.embedderPassthrough],
        [`embedder alone, realistic mix (${r.config.apiLatencyMs} ms API)`, t.embedderMixed],
        ['writer alone (realistic mix)', t.writer],
        ['whole pipeline (realistic mix)', t.pipeline],
        ['naive: decode, embed each event, upsert one by one', t.naive],
      ] as Array<[string, Throughput]>
    ).map(
      ([name, x]) =>
        `| ${name} | ${fmt(x.events)} | ${fmt(x.seconds, 1)} | ${fmt(x.eventsPerSecond)} | ${x.steady ? fmt(x.steady.eventsPerSecond) : '—'} |`,
    ),
    '',
    `Producer (bench → input topic, batches of 1,000): ${fmt(t.producer)} events/s.`,
    '',
    '## Milvus ceiling (SDK straight into Milvus, the catalog rows)',
    '',
    '| operation | batch | rows | rows/s |',
    '|---|---|---|---|',
    ...[...r.milvus.points, r.milvus.partial].map(
      (p) =>
        `| ${p.op === 'upsert' ? 'upsert (full row)' : 'partial update (price/stock)'} | ${p.batch} | ${fmt(p.rows)} | ${fmt(p.rowsPerSecond)} |`,
    ),
    '',
    `Ceiling for the writer's mix: ${fmt(r.milvus.mixCeiling)} rows/s (full rows at ${fmt(r.milvus.bestUpsert.rowsPerSecond)}/s, price/stock at ${fmt(r.milvus.partial.rowsPerSecond)}/s).`,
    '',
    `## Freshness at ${fmt(r.freshness.offeredRate)} events/s (occurredAt → returned by a Milvus query)`,
    '',
    `Started after Milvus flushed its memtable (${fmt(r.freshness.settled.flushMs)} ms) and the machine was ${r.freshness.settled.quiet ? 'quiet' : 'still busy'} (waited ${fmt(r.freshness.settled.waitedMs / 1000)} s).`,
    '',
    '| offered | achieved | samples | missed | p50 | p99 | max | writer histogram p50 / p99 (indexed_at − occurredAt) |',
    '|---|---|---|---|---|---|---|---|',
    `| ${fmt(r.freshness.offeredRate)}/s | ${fmt(r.freshness.achievedRate)}/s | ${r.freshness.samples} | ${r.freshness.missed} | ${fmt(r.freshness.p50Ms)} ms | ${fmt(r.freshness.p99Ms)} ms | ${fmt(r.freshness.maxMs)} ms | ${fmt(r.freshness.writerHistogram.p50Ms)} / ${fmt(r.freshness.writerHistogram.p99Ms)} ms (${fmt(r.freshness.writerHistogram.count)} writes) |`,
    '',
    `By kind: price/stock changes p50 ${fmt(r.freshness.byKind.passThrough.p50Ms)} ms, p99 ${fmt(r.freshness.byKind.passThrough.p99Ms)} ms (${r.freshness.byKind.passThrough.samples} samples); text changes (embedded, ${r.config.apiLatencyMs} ms API) p50 ${fmt(r.freshness.byKind.text.p50Ms)} ms, p99 ${fmt(r.freshness.byKind.text.p99Ms)} ms (${r.freshness.byKind.text.samples} samples). Price/stock changes with no text change of their product in the second before: p50 ${fmt(r.freshness.byKind.passThroughAlone.p50Ms)} ms, p99 ${fmt(r.freshness.byKind.passThroughAlone.p99Ms)} ms (${r.freshness.byKind.passThroughAlone.samples}); behind one, waiting for its embedding (per-key order): p50 ${fmt(r.freshness.byKind.passThroughBehindText.p50Ms)} ms, p99 ${fmt(r.freshness.byKind.passThroughBehindText.p99Ms)} ms (${r.freshness.byKind.passThroughBehindText.samples}).`,
    '',
    `Price/stock changes only, at the same rate with the same services (texts, creates and deletes left out of the stream): p50 ${fmt(r.freshness.priceStockOnly.p50Ms)} ms, p99 ${fmt(r.freshness.priceStockOnly.p99Ms)} ms (${r.freshness.priceStockOnly.samples} samples, ${r.freshness.priceStockOnly.missed} missed, ${fmt(r.freshness.priceStockOnly.achievedRate)}/s achieved).`,
    '',
    `Where the time goes (p50 / p99 of ${r.freshness.hops.matched} samples, from the Kafka timestamps of each stage's output): occurredAt → router produced ${fmt(r.freshness.hops.router.p50Ms)} / ${fmt(r.freshness.hops.router.p99Ms)} ms; → embedder produced ${fmt(r.freshness.hops.embedder.p50Ms)} / ${fmt(r.freshness.hops.embedder.p99Ms)} ms; → writer's write seen by a query ${fmt(r.freshness.hops.writer.p50Ms)} / ${fmt(r.freshness.hops.writer.p99Ms)} ms. Sampled events deleted before a query saw them: ${r.freshness.superseded}.`,
    '',
    '## Embedding tokens (whole-pipeline segment)',
    '',
    '| | tokens | vs naive | vs limit |',
    '|---|---|---|---|',
    `| freshet (fake server's count, ${fmt(r.tokens.pipelineRequests)} requests, ${fmt(r.tokens.pipelineInputs)} inputs) | ${fmt(r.tokens.pipeline)} | ${fmt((100 * r.tokens.pipeline) / r.tokens.naiveProjected, 1)} % | ${fmt(r.tokens.pipeline / r.tokens.limit, 3)} × |`,
    `| naive, every event re-embedded (same tokenizer) | ${fmt(r.tokens.naiveProjected)} | 100 % | ${fmt(r.tokens.naiveProjected / r.tokens.limit, 1)} × |`,
    `| limit: ${fmt(r.tokens.freshTexts)} texts never embedded before | ${fmt(r.tokens.limit)} | ${fmt((100 * r.tokens.limit) / r.tokens.naiveProjected, 1)} % | 1 × |`,
    '',
    `The naive run itself paid ${fmt(r.tokens.naiveMeasured.tokens)} tokens for ${fmt(r.tokens.naiveMeasured.events)} events (${fmt(r.tokens.naiveMeasured.perEvent)} per event; the projection averages ${fmt(r.tokens.naiveMeasured.projectedPerEvent)}). Stage-alone embedder: ${fmt(r.tokens.stageSegment.spent)} tokens for a limit of ${fmt(r.tokens.stageSegment.limit)}.`,
    '',
    '## Memory (RSS, MB)',
    '',
    '| service | peak RSS (VmHWM), pipeline + freshness run | peak RSS, stage-alone run |',
    '|---|---|---|',
    ...(['router', 'embedder', 'writer'] as const).map(
      (s) => `| ${s} | ${fmt(r.memory[s].hwmMb)} | ${fmt(r.memory[s].stageAlonePeakRssMb)} |`,
    ),
    '',
    ...(r.freshness.cpuSeconds && r.freshness.events
      ? [
          `## CPU over the ${fmt(r.freshness.offeredRate)} events/s run (CPU-s from /proc; per 1,000 events)`,
          '',
          '| process | CPU-s | per 1,000 events |',
          '|---|---|---|',
          ...Object.entries(r.freshness.cpuSeconds).map(
            ([p, v]) => `| ${p} | ${fmt(v, 1)} | ${fmt(perThousand(v, r.freshness.events as number), 2)} |`,
          ),
          '',
        ]
      : []),
    ...(r.backlog ? backlogMarkdown(r.backlog) : []),
    '![freshness over time and throughput per stage](latest.svg)',
    '',
  ];
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels: freshness of each sample over the steady run (with p50/p99), and events/s per run. */
export function svgChart(r: BenchResults): string {
  const W = 900;
  const H = 360;
  const pad = { l: 60, r: 20, t: 30, b: 40 };
  const panelW = (W - 3 * pad.l) / 2;
  const plotH = H - pad.t - pad.b;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  // Panel 1: freshness scatter.
  const series = r.freshness.series;
  const x0 = pad.l;
  const maxT = Math.max(1, ...series.map((s) => s.at));
  const maxMs = Math.max(200, ...series.map((s) => s.ms)) * 1.1;
  const sx = (t: number) => x0 + (t / maxT) * panelW;
  const sy = (ms: number) => pad.t + plotH - (ms / maxMs) * plotH;
  parts.push(
    `<text x="${x0}" y="18" font-weight="bold">Freshness at ${r.freshness.offeredRate} events/s (occurredAt → searchable)</text>`,
    `<line x1="${x0}" y1="${pad.t + plotH}" x2="${x0 + panelW}" y2="${pad.t + plotH}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${pad.t}" x2="${x0}" y2="${pad.t + plotH}" stroke="#333"/>`,
    `<text x="${x0 + panelW / 2}" y="${H - 8}" text-anchor="middle">seconds into the run</text>`,
    `<text x="14" y="${pad.t + plotH / 2}" transform="rotate(-90 14 ${pad.t + plotH / 2})" text-anchor="middle">ms</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const ms = (maxMs / 4) * i;
    parts.push(
      `<text x="${x0 - 6}" y="${sy(ms) + 4}" text-anchor="end">${Math.round(ms)}</text>`,
      `<line x1="${x0}" y1="${sy(ms)}" x2="${x0 + panelW}" y2="${sy(ms)}" stroke="#eee"/>`,
    );
    const t = (maxT / 4) * i;
    parts.push(`<text x="${sx(t)}" y="${pad.t + plotH + 14}" text-anchor="middle">${Math.round(t)}</text>`);
  }
  for (const s of series)
    parts.push(
      `<circle cx="${sx(s.at).toFixed(1)}" cy="${sy(s.ms).toFixed(1)}" r="1.6" fill="${s.type === 'UPDATE' || s.type === 'CREATE' ? '#d62728' : '#1f77b4'}" fill-opacity="0.6"/>`,
    );
  for (const [label, ms, color] of [
    ['p50', r.freshness.p50Ms, '#2ca02c'],
    ['p99', r.freshness.p99Ms, '#ff7f0e'],
  ] as Array<[string, number, string]>) {
    if (!Number.isFinite(ms)) continue;
    parts.push(
      `<line x1="${x0}" y1="${sy(ms)}" x2="${x0 + panelW}" y2="${sy(ms)}" stroke="${color}" stroke-dasharray="4 3"/>`,
      `<text x="${x0 + panelW - 2}" y="${sy(ms) - 3}" text-anchor="end" fill="${color}">${label} ${Math.round(ms)} ms</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + 6}" y="${pad.t + 12}" fill="#1f77b4">● price/stock</text>`,
    `<text x="${x0 + 86}" y="${pad.t + 12}" fill="#d62728">● text (embedded)</text>`,
  );
  // Panel 2: throughput bars.
  const t = r.throughput;
  const bars: Array<[string, number]> = [
    ['router', rate(t.router)],
    ['embedder pass', rate(t.embedderPassthrough)],
    ['embedder mix', rate(t.embedderMixed)],
    ['writer', rate(t.writer)],
    ['Milvus mix ceiling', r.milvus.mixCeiling],
    ['pipeline', rate(t.pipeline)],
    ['naive', t.naive.eventsPerSecond],
  ];
  const x1 = 2 * pad.l + panelW + 20;
  const maxV = Math.max(1, ...bars.map(([, v]) => v)) * 1.15;
  const bw = panelW / bars.length;
  parts.push(
    `<text x="${x1}" y="18" font-weight="bold">Throughput, one instance (steady events/s)</text>`,
    `<line x1="${x1}" y1="${pad.t + plotH}" x2="${x1 + panelW}" y2="${pad.t + plotH}" stroke="#333"/>`,
  );
  bars.forEach(([label, v], i) => {
    const h = (v / maxV) * plotH;
    const x = x1 + i * bw + 4;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(pad.t + plotH - h).toFixed(1)}" width="${(bw - 8).toFixed(1)}" height="${h.toFixed(1)}" fill="${label.startsWith('Milvus') ? '#999' : label === 'naive' ? '#d62728' : '#1f77b4'}"/>`,
      `<text x="${(x + (bw - 8) / 2).toFixed(1)}" y="${(pad.t + plotH - h - 4).toFixed(1)}" text-anchor="middle">${esc(Math.round(v).toLocaleString('en-US'))}</text>`,
      `<text x="${(x + (bw - 8) / 2).toFixed(1)}" y="${pad.t + plotH + 14}" text-anchor="middle" font-size="9">${esc(label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
