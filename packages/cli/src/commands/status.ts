import { type Command, Option } from '@commander-js/extra-typings';
import type { ServiceName } from '@freshet/config';
import { groupLag, type PartitionLag } from '@freshet/kafka';
import { integer } from '../args.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { table } from '../output.js';
import type { CliCommand } from '../program.js';
import { bucketDelta, parsePrometheus, quantileFromBuckets, type Sample, sumOf } from '../prometheus.js';

const STAGES: readonly ServiceName[] = ['router', 'embedder', 'writer'];
const BREAKER = ['closed', 'half_open', 'open'] as const;

interface Quantiles {
  count: number;
  p50: number | null;
  p99: number | null;
}

export interface StageStatus {
  stage: ServiceName;
  group: string;
  topic: string;
  lag: number | null;
  partitions: PartitionLag[];
  lagError?: string;
  /** Why there are no metrics: no URL was given and nothing answers at the deploy/local address. */
  note?: string;
  metrics?: {
    url: string;
    ready: boolean;
    /** Events handled per second over the sampling interval. */
    eventsPerSecond: number | null;
    pausedPartitions: number | null;
    breaker?: (typeof BREAKER)[number] | 'unknown';
    /** Seconds from occurredAt to indexed: over the interval, and since the process started. */
    freshness?: { interval: Quantiles; lifetime: Quantiles };
    error?: string;
  };
}

async function scrape(url: string): Promise<{ samples: Sample[]; at: number }> {
  const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return { samples: parsePrometheus(await res.text()), at: performance.now() };
}

async function ready(url: string): Promise<boolean> {
  const res = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(5000) }).catch(
    () => undefined,
  );
  return res?.status === 200;
}

function quantiles(buckets: ReadonlyArray<readonly [number, number]>): Quantiles {
  return {
    count: buckets.at(-1)?.[1] ?? 0,
    p50: quantileFromBuckets(buckets, 0.5),
    p99: quantileFromBuckets(buckets, 0.99),
  };
}

async function stageMetrics(
  stage: ServiceName,
  url: string,
  intervalMs: number,
): Promise<StageStatus['metrics']> {
  try {
    const [first, isReady] = await Promise.all([scrape(url), ready(url)]);
    await new Promise((r) => setTimeout(r, intervalMs));
    const second = await scrape(url);
    const seconds = (second.at - first.at) / 1000;
    const before = sumOf(first.samples, 'freshet_events_total', { stage });
    const after = sumOf(second.samples, 'freshet_events_total', { stage });
    const m: NonNullable<StageStatus['metrics']> = {
      url,
      ready: isReady,
      eventsPerSecond:
        before === null || after === null ? (after === null ? null : 0) : (after - before) / seconds,
      pausedPartitions: sumOf(second.samples, 'freshet_paused_partitions', { stage }),
    };
    if (stage === 'embedder') {
      const state = sumOf(second.samples, 'freshet_breaker_state');
      m.breaker = state === null ? 'unknown' : (BREAKER[state] ?? 'unknown');
    }
    if (stage === 'writer') {
      const all = bucketDelta([], second.samples, 'freshet_freshness_seconds');
      m.freshness = {
        interval: quantiles(bucketDelta(first.samples, second.samples, 'freshet_freshness_seconds')),
        lifetime: quantiles(all),
      };
    }
    return m;
  } catch (error) {
    return {
      url,
      ready: false,
      eventsPerSecond: null,
      pausedPartitions: null,
      error: (error as Error).message,
    };
  }
}

/** Whether anything answers HTTP at `url` (a refused connection or a timeout: no). */
async function answers(url: string): Promise<boolean> {
  return fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
}

/**
 * `url`: given (flag or FRESHET_CLI_<STAGE>_URL), so a stage that does not answer there is a problem; or
 * the deploy/local address, looked at only when something answers there (a cluster user who set no URL
 * gets the lag alone, as before, plus a note).
 */
async function stageStatus(
  ctx: CliContext,
  stage: ServiceName,
  url: { href: string; given: boolean },
  intervalMs: number,
) {
  const { topics, groups } = ctx.config;
  const topic = stage === 'router' ? topics.input : stage === 'embedder' ? topics.embed : topics.index;
  const status: StageStatus = { stage, group: groups[stage], topic, lag: null, partitions: [] };
  const admin = await ctx.admin();
  const [lag, metrics] = await Promise.all([
    groupLag(admin, groups[stage], topic).catch((error: Error) => error),
    (async () => {
      if (!url.given && !(await answers(url.href))) {
        status.note = `no ${stage} answers at ${url.href} (deploy/local/up stages starts one; --${stage}-url or FRESHET_CLI_${stage.toUpperCase()}_URL points elsewhere)`;
        return undefined;
      }
      return stageMetrics(stage, url.href, intervalMs);
    })(),
  ]);
  if (lag instanceof Error) status.lagError = lag.message;
  else {
    status.partitions = lag;
    status.lag = lag.reduce((sum, p) => sum + p.lag, 0);
  }
  if (metrics) status.metrics = metrics;
  return status;
}

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? '—' : n.toFixed(digits);
const seconds = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : `${(n * 1000).toFixed(0)} ms`;

export const status: CliCommand = {
  name: 'status',
  register(program: Command, run) {
    program
      .command('status')
      .description(
        "per stage: consumer-group lag, and from its HTTP server (the URL given, else deploy/local's on 127.0.0.1) throughput, freshness p50/p99, breaker state; DLQ size",
      )
      .option(
        '--router-url <url>',
        "router's HTTP server (FRESHET_CLI_ROUTER_URL; default: deploy/local's, http://127.0.0.1:$FRESHET_ROUTER_PORT, 9101)",
      )
      .option('--embedder-url <url>', "embedder's HTTP server (FRESHET_CLI_EMBEDDER_URL; default port 9102)")
      .option('--writer-url <url>', "writer's HTTP server (FRESHET_CLI_WRITER_URL; default port 9103)")
      .addOption(
        new Option('--interval <ms>', 'sampling interval for throughput and recent freshness')
          .argParser(integer(100, 60000))
          .default(1000),
      )
      .action(
        run(async (ctx, opts) => {
          const given: Partial<Record<ServiceName, string>> = {
            ...ctx.config.stageUrls,
            ...(opts.routerUrl ? { router: opts.routerUrl } : {}),
            ...(opts.embedderUrl ? { embedder: opts.embedderUrl } : {}),
            ...(opts.writerUrl ? { writer: opts.writerUrl } : {}),
          };
          const urlOf = (s: ServiceName) => {
            const href = given[s];
            return href ? { href, given: true } : { href: ctx.config.localStageUrls[s], given: false };
          };
          const admin = await ctx.admin();
          const [stages, dlqOffsets] = await Promise.all([
            Promise.all(STAGES.map((s) => stageStatus(ctx, s, urlOf(s), opts.interval))),
            admin.fetchTopicOffsets(ctx.config.topics.dlq).catch((error: Error) => error),
          ]);
          const dlq =
            dlqOffsets instanceof Error
              ? { topic: ctx.config.topics.dlq, size: null, error: dlqOffsets.message }
              : {
                  topic: ctx.config.topics.dlq,
                  size: dlqOffsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0),
                };
          const problems = [
            ...stages.flatMap((s) => [
              ...(s.lagError ? [`${s.stage}: lag: ${s.lagError}`] : []),
              ...(s.metrics?.error ? [`${s.stage}: metrics: ${s.metrics.error}`] : []),
            ]),
            ...('error' in dlq ? [`dlq: ${dlq.error}`] : []),
          ];
          ctx.out.result({ stages, dlq, problems }, () =>
            [
              table([
                ['stage', 'group', 'lag', 'ready', 'events/s', 'paused', 'breaker', 'freshness p50', 'p99'],
                ...stages.map((s) => {
                  const m = s.metrics;
                  const f =
                    m?.freshness &&
                    (m.freshness.interval.count > 0 ? m.freshness.interval : m.freshness.lifetime);
                  return [
                    s.stage,
                    s.group,
                    s.lag === null ? 'error' : String(s.lag),
                    m ? (m.ready ? 'yes' : 'no') : '—',
                    fmt(m?.eventsPerSecond),
                    m?.pausedPartitions === null || m?.pausedPartitions === undefined
                      ? '—'
                      : String(m.pausedPartitions),
                    m?.breaker ?? '—',
                    seconds(f?.p50),
                    seconds(f?.p99),
                  ];
                }),
              ]),
              `dlq ${dlq.topic}: ${dlq.size ?? 'error'} entries`,
              ...stages.flatMap((s) => (s.note ? [`note: ${s.note}`] : [])),
              ...problems.map((p) => `problem: ${p}`),
            ].join('\n'),
          );
          return problems.length > 0 ? EXIT.failure : EXIT.ok;
        }),
      );
  },
};
