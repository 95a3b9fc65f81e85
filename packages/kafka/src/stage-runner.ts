import type { Logger, PipelineMetrics } from '@freshet/telemetry';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { backoffDelay, sleep } from './backoff.js';
import { ShuttingDownError } from './errors.js';
import { groupLag } from './lag.js';
import { errorCode } from './pending.js';

export interface StageRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
  timestamp: string;
}

/**
 * A copy of `record` that holds no slice of the fetch response it was decoded from. kafkajs hands out key,
 * value and header bytes as views into that one response buffer (megabytes), so one record kept in a
 * pending batch keeps the whole response alive. The value is copied only when asked (a dead letter needs
 * it; a decoded record does not).
 */
export function detachRecord<R extends Pick<StageRecord, 'key' | 'value' | 'headers'>>(
  record: R,
  keep: { value: boolean },
): R {
  return {
    ...record,
    key: record.key === null ? null : Buffer.from(record.key),
    value: keep.value && record.value !== null ? Buffer.from(record.value) : null,
    headers: record.headers === undefined ? undefined : copyHeaders(record.headers),
  };
}

function copyHeaders(headers: IHeaders): IHeaders {
  const copy: IHeaders = {};
  const one = (v: Buffer | string) => (typeof v === 'string' ? v : Buffer.from(v));
  // for…in, not Object.entries: this runs for every record a stage keeps.
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) copy[name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return copy;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /**
   * Aborts when the stage is stopping or the partition was revoked: use it for waits between retries,
   * never for in-flight I/O.
   */
  signal: AbortSignal;
  /** The partition was revoked or sought meanwhile: the work may be dropped, it will not be committed. */
  isStale(): boolean;
}

/**
 * A batch whose outputs are still being made. The runner fetches on at once and commits the batch's
 * offsets only when `done` resolved and every earlier batch of the partition was committed. `done` keeps
 * retrying on its own and rejects only when it gives up (stop, revocation): then nothing from this batch on
 * is committed, and a rejection for any other reason makes the runner seek back and redo it.
 */
export interface PendingBatch {
  done: Promise<void>;
}

/**
 * Handles one partition's batch. Resolve only when every output is durable (produced with acks=all, or
 * acknowledged by Milvus): the runner then commits the offset after the last record. Throw to have the same
 * batch retried with backoff; bad records must go to the DLQ inside the handler instead of throwing.
 *
 * Or resolve with a PendingBatch once the batch no longer needs to hold the fetch (the embedder: its
 * pass-through records are out, its texts are with the API), so a slow call does not stall every other
 * record of the partition behind it. The handler then keeps each key's outputs in order across batches.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain async handler resolves with void
export type BatchHandler = (records: StageRecord[], ctx: BatchContext) => Promise<void | PendingBatch>;

export interface ConsumerTuning {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
}

export interface StageRunnerOptions {
  stage: string;
  kafka: Kafka;
  groupId: string;
  topic: string;
  handler: BatchHandler;
  logger: Logger;
  metrics: PipelineMetrics;
  partitionsConcurrency: number;
  retry: { baseMs: number; maxMs: number };
  consumer: ConsumerTuning;
  /**
   * Also sample the lag of the assigned partitions every this many ms (0: only after each batch). Without
   * it the gauge freezes while the stage is paused or stuck, which is exactly when it matters. Default 5000.
   */
  lagSampleMs?: number;
  /**
   * Records in pending batches (see PendingBatch) a partition may hold before its next batch waits for the
   * oldest: bounds memory while catching up (big batches) without stalling steady traffic (many small ones).
   * Default 500.
   */
  maxPendingRecords?: number;
  /**
   * Told when this member joined the group (its assignment may have changed) and when a heartbeat was
   * answered (it still holds its assignment): for state a stage may keep only while it owns its partitions.
   */
  membership?: { joined(): void; confirmed(): void };
}

interface Pending {
  first: string;
  last: string;
  /** The partition's high watermark when the batch was fetched (the lag gauge after its commit). */
  highWatermark: string;
  size: number;
  started: number;
  state: 'pending' | 'done' | 'dropped';
  settled: Promise<void>;
}

/**
 * The consume loop every stage shares: batches per partition, auto-commit off, commit after the handler
 * resolved, retry in place (heartbeating) on failure, pause/resume for outages, drain on stop.
 */
export class StageRunner {
  readonly consumer: Consumer;
  private readonly stopping = new AbortController();
  private assigned: Array<{ topic: string; partition: number }> = [];
  private paused = false;
  private running = false;
  private crashed: Error | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private lagAdmin: Admin | undefined;
  /** Per partition of the topic: batches handed on as PendingBatch, in offset order, not yet committed. */
  private readonly pending = new Map<number, Pending[]>();
  private readonly commits = new Map<number, Promise<void>>();
  /**
   * The highest offset this member committed per partition while it held it: after a rejoin kafkajs fetches
   * a kept partition again from its committed offset while older pending batches may still finish, and a
   * commit must never move back.
   */
  private readonly committedUpTo = new Map<number, bigint>();
  /** Aborted when a partition is revoked, so its pending work stops retrying. */
  private readonly partitionAborts = new Map<number, AbortController>();

  constructor(private readonly options: StageRunnerOptions) {
    const c = options.consumer;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      ...(c.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: c.maxBytesPerPartition } : {}),
      ...(c.minBytes !== undefined ? { minBytes: c.minBytes } : {}),
      ...(c.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: c.maxWaitTimeInMs } : {}),
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment;
      this.assigned = Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      options.logger.info({ assignment }, 'partitions assigned');
      options.membership?.joined();
      this.dropRevoked();
      // A rejoin after an outage pause keeps the new assignment paused too.
      if (this.paused) this.consumer.pause([{ topic: options.topic }]);
      this.updatePausedGauge();
    });
    this.consumer.on(this.consumer.events.HEARTBEAT, () => options.membership?.confirmed());
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      options.logger.error({ err: error, restart: event.payload.restart }, 'consumer crashed');
      if (event.payload.restart) return;
      this.crashed = error;
      // kafkajs gives up for good on a non-retriable error, e.g. "Failed to find group coordinator" after a
      // broker restart outlasted its retries (seen in the chaos run): the process would stay up consuming
      // nothing. Nothing uncommitted is lost by starting over, so the runner does, with backoff.
      if (!this.stopping.signal.aborted) void this.restartAfterCrash();
    });
  }

  async start(): Promise<void> {
    await this.runConsumer();
    this.startLagSampler();
  }

  private async runConsumer(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatch: (payload) => this.runBatch(payload),
    });
  }

  private async restartAfterCrash(): Promise<void> {
    const { logger, retry } = this.options;
    for (let attempt = 1; !this.stopping.signal.aborted; attempt++) {
      await sleep(backoffDelay(attempt, retry.baseMs, retry.maxMs), this.stopping.signal).catch(() => {});
      if (this.stopping.signal.aborted) return;
      try {
        await this.consumer.disconnect().catch(() => {});
        await this.runConsumer();
        this.crashed = undefined;
        logger.warn({ attempt }, 'consumer restarted after a crash');
        return;
      } catch (error) {
        logger.error({ err: error, attempt }, 'consumer restart failed; trying again');
      }
    }
  }

  private startLagSampler(): void {
    const every = this.options.lagSampleMs ?? 5000;
    if (every <= 0) return;
    const { stage, topic, groupId, metrics, logger } = this.options;
    let busy = false;
    this.lagTimer = setInterval(() => {
      if (busy || this.assigned.length === 0) return;
      busy = true;
      void (async () => {
        if (!this.lagAdmin) {
          const admin = this.options.kafka.admin();
          await admin.connect();
          this.lagAdmin = admin;
        }
        // Committed offsets, like the batch-time gauge: only this member's partitions, so replicas never
        // report the same partition twice.
        const mine = new Set(this.assigned.filter((a) => a.topic === topic).map((a) => a.partition));
        for (const p of await groupLag(this.lagAdmin, groupId, topic)) {
          if (mine.has(p.partition))
            metrics.consumerLag.set({ stage, topic, partition: String(p.partition) }, p.lag);
        }
      })()
        .catch((error: unknown) => logger.debug({ err: error }, 'lag sample failed'))
        .finally(() => {
          busy = false;
        });
    }, every);
    this.lagTimer.unref();
  }

  /** Stop fetching (the partition stays assigned, heartbeats go on) while a dependency is down. */
  pause(reason: string): void {
    if (this.paused) return;
    this.paused = true;
    this.consumer.pause([{ topic: this.options.topic }]);
    this.updatePausedGauge();
    this.options.logger.warn({ reason }, 'consumption paused');
  }

  resume(reason: string): void {
    if (!this.paused) return;
    this.paused = false;
    this.consumer.resume([{ topic: this.options.topic }]);
    this.updatePausedGauge();
    this.options.logger.info({ reason }, 'consumption resumed');
  }

  isPaused(): boolean {
    return this.paused;
  }

  assignment(): ReadonlyArray<{ topic: string; partition: number }> {
    return this.assigned;
  }

  /** Ready = connected and running with a group membership (an idle member with no partitions is fine). */
  health(): { ok: boolean; detail?: string } {
    if (this.crashed) return { ok: false, detail: `consumer crashed: ${this.crashed.message}` };
    if (!this.running) return { ok: false, detail: 'consumer not started' };
    return {
      ok: true,
      detail: `${this.assigned.length} partitions assigned${this.paused ? ', paused' : ''}`,
    };
  }

  /**
   * Graceful stop: no more fetches, in-flight batches finish and commit, failed ones are abandoned without
   * commit (no retries once stopping), then the member leaves the group. Resolves within `graceMs`.
   */
  async stop(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    const remaining = () => sleep(Math.max(0, deadline - Date.now())).then(() => 'timeout' as const);
    this.stopping.abort(new ShuttingDownError());
    clearInterval(this.lagTimer);
    void this.lagAdmin?.disconnect().catch(() => {});
    // Pending batches finish (or give up on the stop signal) and commit while the member is still in the
    // group; no fetch starts meanwhile.
    if (this.pending.size > 0) {
      this.consumer.pause([{ topic: this.options.topic }]);
      const settled = [...this.pending.values()].flat().map((p) => p.settled);
      await Promise.race([
        Promise.all(settled).then(() => Promise.all([...this.commits.values()])),
        remaining(),
      ]);
    }
    const outcome = await Promise.race([this.consumer.disconnect().then(() => 'done' as const), remaining()]);
    if (outcome === 'timeout')
      this.options.logger.warn({ graceMs }, 'stop grace period elapsed before drain');
    this.running = false;
  }

  private async runBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { stage, metrics, logger } = this.options;
    if (batch.messages.length === 0) return;
    const records: StageRecord[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      headers: m.headers,
      timestamp: m.timestamp,
    }));
    const ctx: BatchContext = {
      topic: batch.topic,
      partition: batch.partition,
      signal: AbortSignal.any([this.stopping.signal, this.partitionAbort(batch.partition).signal]),
      isStale: () => payload.isStale(),
    };
    const started = performance.now();
    // A rebalance began (the heartbeat says so): kafkajs cannot rejoin until this batch returns, so a batch
    // retrying against a dependency that is down must give up its partition instead of holding the group.
    const revoked = new AbortController();
    const abandon = AbortSignal.any([this.stopping.signal, revoked.signal]);
    // Heartbeat while the handler works or waits, so a slow dependency does not cost the assignment.
    const beat = setInterval(
      () => {
        payload.heartbeat().catch((error: unknown) => {
          if (isRebalance(error) && !revoked.signal.aborted) {
            logger.info({ partition: batch.partition, offset: batch.firstOffset() }, 'group rebalancing');
            revoked.abort(error);
          }
        });
      },
      Math.max(500, this.options.consumer.heartbeatIntervalMs),
    );
    const gone = () => payload.isStale() || !payload.isRunning() || revoked.signal.aborted;
    const queue = () => this.pending.get(batch.partition) ?? [];
    try {
      // Backpressure: a partition with many batches still pending waits for its oldest one.
      const held = () => queue().reduce((n, p) => n + p.size, 0);
      while (queue().length > 0 && held() >= (this.options.maxPendingRecords ?? 500) && !gone()) {
        await Promise.race([queue()[0]!.settled, sleep(1000, abandon).catch(() => {})]);
      }
      // biome-ignore lint/suspicious/noConfusingVoidType: what a BatchHandler resolves with
      let result: void | PendingBatch;
      for (let attempt = 0; ; attempt++) {
        if (gone()) {
          logger.info(
            { partition: batch.partition, offset: batch.firstOffset() },
            'batch dropped uncommitted: partition revoked',
          );
          return;
        }
        try {
          result = await this.options.handler(records, ctx);
          break;
        } catch (error) {
          if (this.stopping.signal.aborted || error instanceof ShuttingDownError) {
            logger.info(
              { partition: batch.partition, offset: batch.firstOffset() },
              'batch abandoned on stop',
            );
            return;
          }
          const delay = backoffDelay(attempt, this.options.retry.baseMs, this.options.retry.maxMs);
          metrics.retries.inc({ stage, reason: errorCode(error) });
          logger.warn(
            { err: error, partition: batch.partition, offset: batch.firstOffset(), attempt, delayMs: delay },
            'batch failed; retrying without commit',
          );
          try {
            await sleep(delay, abandon);
          } catch {
            if (this.stopping.signal.aborted) return;
          }
        }
      }
      const first = records[0]!.offset;
      const last = records[records.length - 1]!.offset;
      // Done, but the partition may be someone else's now: its new owner redoes the batch (idempotent).
      // (Stopping is no reason to skip: a graceful stop commits what it finished.)
      if (payload.isStale() || revoked.signal.aborted) return;
      if (result || queue().length > 0) {
        // Fetch on from after this batch; its commit waits for its turn (see commitReady).
        payload.resolveOffset(last);
        this.track(
          batch.partition,
          { first, last, size: records.length, started, highWatermark: batch.highWatermark },
          result?.done,
        );
        return;
      }
      payload.resolveOffset(last);
      await payload.commitOffsetsIfNecessary({
        topics: [
          { topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(last) }] },
        ],
      });
      metrics.stageDuration.observe({ stage }, (performance.now() - started) / 1000);
      metrics.batchSize.observe({ stage }, records.length);
      metrics.consumerLag.set(
        { stage, topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(nextOffset(last)))),
      );
    } finally {
      clearInterval(beat);
    }
  }

  private partitionAbort(partition: number): AbortController {
    let controller = this.partitionAborts.get(partition);
    if (!controller) {
      controller = new AbortController();
      this.partitionAborts.set(partition, controller);
    }
    return controller;
  }

  /** Follows a pending batch: commit once it and everything before it is done; redo it if it failed. */
  private track(
    partition: number,
    batch: { first: string; last: string; size: number; started: number; highWatermark: string },
    done: Promise<void> = Promise.resolve(),
  ): void {
    const { stage, metrics, logger } = this.options;
    const entry: Pending = { ...batch, state: 'pending', settled: Promise.resolve() };
    entry.settled = done.then(
      () => {
        if (entry.state !== 'pending') return;
        entry.state = 'done';
        metrics.stageDuration.observe({ stage }, (performance.now() - batch.started) / 1000);
        metrics.batchSize.observe({ stage }, batch.size);
        this.commitReady(partition);
      },
      (error: unknown) => {
        if (entry.state !== 'pending') return;
        const list = this.pending.get(partition) ?? [];
        const at = list.indexOf(entry);
        // Nothing from this batch on may be committed: drop it and every later one of the partition.
        for (const p of list.slice(at)) p.state = 'dropped';
        this.pending.set(partition, list.slice(0, at));
        if (
          this.stopping.signal.aborted ||
          error instanceof ShuttingDownError ||
          !this.isAssigned(partition)
        ) {
          logger.info({ partition, offset: batch.first }, 'pending batch abandoned uncommitted');
          return;
        }
        // Not a stop: fetch again from this batch (the handler keeps each key's order across the redo).
        metrics.retries.inc({ stage, reason: errorCode(error) });
        logger.warn(
          { err: error, partition, offset: batch.first },
          'pending batch failed; fetching it again',
        );
        this.consumer.seek({ topic: this.options.topic, partition, offset: batch.first });
      },
    );
    const list = this.pending.get(partition) ?? [];
    list.push(entry);
    this.pending.set(partition, list);
  }

  /** Commits the partition up to the end of its leading run of done batches, one commit at a time. */
  private commitReady(partition: number): void {
    const list = this.pending.get(partition) ?? [];
    let last: string | undefined;
    let highWatermark = '0';
    while (list[0]?.state === 'done') ({ last, highWatermark } = list.shift()!);
    if (list.length === 0) this.pending.delete(partition);
    if (last === undefined || !this.isAssigned(partition)) return;
    const { topic, stage, metrics, logger } = this.options;
    const offset = nextOffset(last);
    if (BigInt(offset) <= (this.committedUpTo.get(partition) ?? -1n)) return;
    this.committedUpTo.set(partition, BigInt(offset));
    // A failed commit only means a redelivery later: the outputs are durable and idempotent.
    const next = (this.commits.get(partition) ?? Promise.resolve())
      .then(() => this.consumer.commitOffsets([{ topic, partition, offset }]))
      .then(() =>
        metrics.consumerLag.set(
          { stage, topic, partition: String(partition) },
          Math.max(0, Number(BigInt(highWatermark) - BigInt(offset))),
        ),
      )
      .catch((error: unknown) =>
        logger.warn({ err: error, partition, offset }, 'commit failed; it will be redone'),
      );
    this.commits.set(partition, next);
  }

  private isAssigned(partition: number): boolean {
    return this.assigned.some((a) => a.topic === this.options.topic && a.partition === partition);
  }

  /** After a rebalance: pending work of partitions no longer ours stops and is never committed. */
  private dropRevoked(): void {
    for (const [partition, list] of this.pending) {
      if (this.isAssigned(partition)) continue;
      for (const p of list) p.state = 'dropped';
      this.pending.delete(partition);
    }
    for (const partition of this.committedUpTo.keys())
      if (!this.isAssigned(partition)) this.committedUpTo.delete(partition);
    for (const [partition, controller] of this.partitionAborts) {
      if (this.isAssigned(partition)) continue;
      controller.abort(new ShuttingDownError());
      this.partitionAborts.delete(partition);
    }
  }

  private updatePausedGauge(): void {
    this.options.metrics.pausedPartitions.set(
      { stage: this.options.stage },
      this.paused ? this.assigned.length : 0,
    );
  }
}

// kafkajs' rebalance signals: a heartbeat answered with these means the assignment is being taken back.
const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
]);

function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_TYPES.has(type);
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
