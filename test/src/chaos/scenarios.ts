import type { Rng } from '@freshet/testkit';
import { waitFor } from '../support/ports.js';
import type { Stage } from '../support/services.js';
import type { ChaosOptions, ChaosWorld, Check } from './chaos.js';
import { STAGES } from './fleet.js';
import { committed, groupMembers, sampler, scrape, stageLags } from './observe.js';

export type ScenarioName = 'kill' | 'milvus' | 'embedding-api' | 'broker' | 'scale';

export interface ScenarioContext {
  world: ChaosWorld;
  rng: Rng;
  checks: Check[];
  log(line: string): void;
  /** When the fault ended (recovery is measured from here); the end of run() when a scenario leaves it unset. */
  faultEndedAt?: number;
}

export interface Scenario {
  title: string;
  /** Production rate (events/s) so the scenario's slice spans its fault. */
  rate(options: ChaosOptions, events: number): number;
  run(ctx: ScenarioContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function check(ctx: ScenarioContext, name: string, ok: boolean, detail: string): void {
  ctx.checks.push({ name, ok, detail });
  if (!ok) ctx.log(`  FAIL ${name}: ${detail}`);
}

/** SIGTERM of one instance: it must exit 0 within the grace period. */
async function gracefulStop(ctx: ScenarioContext, stage: Stage, what: string): Promise<void> {
  const grace = ctx.world.options.shutdownGraceMs;
  const { exit, ms, log } = await ctx.world.fleet.terminate(stage);
  check(
    ctx,
    `${what}: SIGTERM exits 0 within FRESHET_SHUTDOWN_GRACE_MS`,
    exit === 0 && ms <= grace,
    `exit ${exit} after ${ms} ms (grace ${grace} ms)${exit === 0 ? '' : `\n${log}`}`,
  );
}

const KILL_GAP = { min: 500, max: 3000 };

const kill: Scenario = {
  title: 'kill -9 of each service at random moments, restarted',
  rate: (o, n) => n / ((o.killsPerService * 3 * (KILL_GAP.max + 3000)) / 1000),
  async run(ctx) {
    const { fleet, options } = ctx.world;
    const order = ctx.rng.shuffle(
      STAGES.flatMap((s) => Array.from({ length: options.killsPerService }, () => s)),
    );
    const restarts: number[] = [];
    for (const stage of order) {
      await sleep(ctx.rng.int(KILL_GAP.min, KILL_GAP.max));
      restarts.push(await fleet.kill9AndRestart(stage));
    }
    ctx.faultEndedAt = Date.now();
    check(
      ctx,
      'every killed service came back ready',
      STAGES.every((s) => fleet.count(s) === 1),
      `${order.length} kills (${order.join(', ')}); restart to ready ${Math.min(...restarts)}–${Math.max(...restarts)} ms`,
    );
  },
};

const milvus: Scenario = {
  title: 'Milvus stopped, then started (comes back with collections released)',
  rate: (o, n) => n / ((o.milvusOutageMs + 4000) / 1000),
  async run(ctx) {
    const { stack, fleet, admin, names, options } = ctx.world;
    await sleep(2000);
    const lagBefore = (await stageLags(admin, names)).writer;
    await stack.down('milvus');
    const downAt = Date.now();
    ctx.log('  milvus stopped');
    // The writer notices at its next batch and pauses; from then on nothing may be committed.
    await waitFor(
      'writer paused',
      async () => (await scrape(fleet.services('writer'), 'freshet_paused_partitions')) > 0,
      15_000,
      250,
    ).catch(() => undefined);
    const paused = await scrape(fleet.services('writer'), 'freshet_paused_partitions');
    check(
      ctx,
      'writer paused its partitions while Milvus is down',
      paused > 0,
      `paused partitions ${paused}`,
    );
    const committedAtPause = await committed(admin, names, 'writer');
    // SIGTERM mid-outage: the writer must give up its unfinished batch without committing and exit in time.
    await sleep(Math.min(3000, options.milvusOutageMs / 4));
    await gracefulStop(ctx, 'writer', 'writer during the Milvus outage');
    // Started while Milvus is down, the new writer must wait for it by itself (ready only afterwards).
    const restarted = fleet.start('writer');
    await sleep(Math.max(0, downAt + options.milvusOutageMs - Date.now()));
    const lagDuring = (await stageLags(admin, names)).writer;
    const committedAtEnd = await committed(admin, names, 'writer');
    check(
      ctx,
      'writer committed nothing while Milvus was down',
      committedAtPause === committedAtEnd,
      `at pause ${committedAtPause}; at end ${committedAtEnd}`,
    );
    check(
      ctx,
      'writer lag grew during the outage',
      lagDuring > lagBefore,
      `lag ${lagBefore} before, ${lagDuring} at the end of the outage`,
    );
    await stack.up('milvus');
    ctx.faultEndedAt = Date.now();
    ctx.log('  milvus started');
    await restarted;
  },
};

interface ApiSample {
  at: number;
  breaker: number;
  paused: number;
  lag: number;
}

const embeddingApi: Scenario = {
  title: 'embedding API: 429 + Retry-After, then failing outright',
  rate: (o, n) => n / ((o.rateLimitMs + o.apiFailMs + 2000) / 1000),
  async run(ctx) {
    const { fake, fleet, admin, names, options } = ctx.world;
    await sleep(2000);
    const lagBefore = (await stageLags(admin, names)).embedder;
    const samples = sampler<ApiSample>(async () => {
      const services = fleet.services('embedder');
      const [breaker, paused, lags] = await Promise.all([
        scrape(services, 'freshet_breaker_state'),
        scrape(services, 'freshet_paused_partitions'),
        stageLags(admin, names),
      ]);
      return { at: Date.now(), breaker, paused, lag: lags.embedder };
    }, 250);
    const retriesBefore = await scrape(fleet.services('embedder'), 'freshet_embedding_retries_total', {
      reason: 'rate_limited',
    });
    const throttledBefore = await scrape(
      fleet.services('embedder'),
      'freshet_embedding_throttled_seconds_total',
    );
    const rateLimitFrom = Date.now();
    fake.inject({
      kind: 'status429',
      retryAfterSeconds: options.retryAfterSeconds,
      durationMs: options.rateLimitMs,
    });
    ctx.log(`  API answers 429 (Retry-After ${options.retryAfterSeconds} s)`);
    await sleep(options.rateLimitMs);
    const retries =
      (await scrape(fleet.services('embedder'), 'freshet_embedding_retries_total', {
        reason: 'rate_limited',
      })) - retriesBefore;
    const throttled =
      (await scrape(fleet.services('embedder'), 'freshet_embedding_throttled_seconds_total')) -
      throttledBefore;
    const rateLimitTo = Date.now();
    fake.clear('status429');
    // Until cleared: the outage lasts apiFailMs, and longer if the breaker has not opened by then (a
    // contended machine retries slowly; the checks below fail if it never opens within the bound).
    fake.inject({ kind: 'status5xx', status: 503 });
    ctx.log('  API answers 503');
    const failFrom = Date.now();
    // SIGTERM mid-outage: the embedder must drop its unfinished batch without committing, exit in time.
    const pausedAfterMs = await waitFor(
      'embedder paused',
      async () => (await scrape(fleet.services('embedder'), 'freshet_paused_partitions')) > 0,
      Math.max(options.apiFailMs, 30_000),
      250,
    ).then(
      () => Date.now() - failFrom,
      () => undefined,
    );
    ctx.log(`  embedder paused ${pausedAfterMs === undefined ? 'never' : `after ${pausedAfterMs} ms`}`);
    // Paused, it must keep heartbeating: the same member keeps its partitions past the session timeout.
    const pausedMembers = await groupMembers(admin, names, 'embedder');
    const heldMs = Math.min(options.apiFailMs / 3, 15_000);
    await sleep(heldMs);
    const laterMembers = await groupMembers(admin, names, 'embedder');
    check(
      ctx,
      'paused embedder kept heartbeating (same member, same partitions)',
      pausedMembers.length === 1 && JSON.stringify(pausedMembers) === JSON.stringify(laterMembers),
      `${heldMs} ms paused (session timeout 10000 ms): ${pausedMembers.map((m) => `[${m.partitions.join(',')}]`).join(' ')} → ${laterMembers.map((m) => `[${m.partitions.join(',')}]`).join(' ')}`,
    );
    const committedBefore = await committed(admin, names, 'embedder');
    await gracefulStop(ctx, 'embedder', 'embedder during the API outage');
    const committedAfter = await committed(admin, names, 'embedder');
    check(
      ctx,
      'embedder stopped mid-outage committed nothing',
      committedBefore === committedAfter,
      `before ${committedBefore}; after ${committedAfter}`,
    );
    await fleet.start('embedder');
    // The restarted embedder meets the outage too: it must open its own breaker before the API heals.
    await waitFor(
      'restarted embedder paused',
      async () => (await scrape(fleet.services('embedder'), 'freshet_paused_partitions')) > 0,
      30_000,
      250,
    ).catch(() => undefined);
    await sleep(Math.max(0, failFrom + options.apiFailMs - Date.now()));
    fake.clear();
    ctx.faultEndedAt = Date.now();
    ctx.log('  API healthy again');
    // Until the breaker closes and the lag is worked off.
    await waitFor(
      'embedder lag back to 0',
      async () => (await stageLags(admin, names)).embedder === 0,
      options.drainTimeoutMs,
      250,
    );
    const all = await samples.stop();
    const during = all.filter((s) => s.at >= failFrom && s.at <= (ctx.faultEndedAt ?? Date.now()));
    const maxLag = Math.max(0, ...during.map((s) => s.lag));
    check(
      ctx,
      'breaker opened (freshet_breaker_state = 2)',
      all.some((s) => s.breaker >= 2),
      `max state ${Math.max(0, ...all.map((s) => s.breaker))}`,
    );
    check(
      ctx,
      'embedder paused its partitions (freshet_paused_partitions > 0)',
      all.some((s) => s.paused > 0),
      `max paused ${Math.max(0, ...all.map((s) => s.paused))}`,
    );
    check(
      ctx,
      'embedder lag grew while the API failed, then drained to 0',
      maxLag > lagBefore,
      `lag ${lagBefore} before, max ${maxLag} during, 0 after`,
    );
    // Read now, not from the sampler's last point: that one may have scraped the breaker half-open a moment
    // before the trial call that closed it (and drained the lag) returned.
    const embedders = fleet.services('embedder');
    const state = async () => ({
      breaker: await scrape(embedders, 'freshet_breaker_state'),
      paused: await scrape(embedders, 'freshet_paused_partitions'),
    });
    let settled = await state();
    await waitFor(
      'breaker closed and partitions resumed',
      async () => {
        settled = await state();
        return settled.breaker === 0 && settled.paused === 0;
      },
      15_000,
      250,
    ).catch(() => undefined);
    check(
      ctx,
      'breaker closed and partitions resumed after recovery',
      settled.breaker === 0 && settled.paused === 0,
      `breaker ${settled.breaker} paused ${settled.paused} (last sample: breaker ${all.at(-1)?.breaker} paused ${all.at(-1)?.paused})`,
    );
    check(
      ctx,
      '429s were retried (freshet_embedding_retries_total{reason="rate_limited"})',
      retries > 0,
      `${retries} retries`,
    );
    // Retry-After: once a 429 came back, no new request may start before the wait it asked for.
    const log = fake.stats().log.filter((e) => e.at >= rateLimitFrom && e.at <= rateLimitTo);
    const limited = log.filter((e) => e.status === 429);
    const waitMs = options.retryAfterSeconds * 1000;
    let early = 0;
    for (const r of limited) {
      const answered = r.at + r.durationMs;
      early += log.filter((e) => e.at > answered + 100 && e.at < answered + waitMs - 100).length;
    }
    check(
      ctx,
      'Retry-After honoured: no request within the asked wait after a 429',
      limited.length > 0 && early === 0,
      `${limited.length} answered 429 in ${log.length} requests over ${((rateLimitTo - rateLimitFrom) / 1000).toFixed(0)} s; ${early} sent too early; throttled ${throttled.toFixed(1)} s`,
    );
  },
};

const broker: Scenario = {
  title: 'Kafka broker restarted',
  rate: (o, n) => n / ((o.brokerDownMs + 12_000) / 1000),
  async run(ctx) {
    const { stack, producer, options } = ctx.world;
    await sleep(3000);
    // Producers buffer while the broker is away; they hold so the oracle knows exactly what was sent.
    await producer.hold();
    await stack.down('kafka');
    ctx.log('  broker stopped');
    await sleep(options.brokerDownMs);
    await stack.up('kafka');
    ctx.faultEndedAt = Date.now();
    ctx.log('  broker started');
    producer.resume();
  },
};

const scale: Scenario = {
  title: 'each service scaled to 2 instances, then back to 1',
  rate: (o, n) => n / ((o.scaleHoldMs + 20_000) / 1000),
  async run(ctx) {
    const { fleet, admin, names, options } = ctx.world;
    await sleep(2000);
    await Promise.all(STAGES.map((s) => fleet.start(s)));
    for (const stage of STAGES) {
      const split = await waitFor(
        `${stage} group split over 2 members`,
        async () => {
          const members = await groupMembers(admin, names, stage);
          return members.length === 2 && members.every((m) => m.partitions.length > 0) ? members : false;
        },
        60_000,
        250,
      ).catch(() => null);
      check(
        ctx,
        `${stage}: 2 instances split the partitions`,
        split !== null,
        split ? split.map((m) => `[${m.partitions.join(',')}]`).join(' + ') : 'no split within 60 s',
      );
    }
    await sleep(options.scaleHoldMs);
    // Scale down by SIGTERM of the older instance: a graceful hand-over of its partitions.
    const scaleDownAt = Date.now();
    await Promise.all(STAGES.map((s) => gracefulStop(ctx, s, `${s} scale-down`)));
    ctx.faultEndedAt = Date.now();
    for (const stage of STAGES) {
      const members = await waitFor(
        `${stage} back to 1 member`,
        async () => {
          const m = await groupMembers(admin, names, stage);
          return m.length === 1 && m[0]!.partitions.length === options.partitions ? m : false;
        },
        60_000,
        250,
      ).catch(() => null);
      // Faster than the session timeout (10 s): the stopped instance left the group, it did not just vanish.
      const handoverMs = Date.now() - scaleDownAt;
      check(
        ctx,
        `${stage}: the remaining instance took every partition before the session timeout`,
        members !== null && handoverMs < 10_000,
        members ? `[${members[0]!.partitions.join(',')}] ${handoverMs} ms after SIGTERM` : 'not within 60 s',
      );
    }
  },
};

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  kill,
  milvus,
  'embedding-api': embeddingApi,
  broker,
  scale,
};
