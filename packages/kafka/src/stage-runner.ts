import type { Logger, PipelineMetrics } from '@freshet/telemetry';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { backoffDelay, sleep } from './backoff.js';
import { ShuttingDownError } from './errors.js';
import { groupLag } from './lag.js';

export interface StageRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
  timestamp: string;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Aborts when the stage is stopping: use it for waits between retries, never for in-flight I/O. */
  signal: AbortSignal;
  /** The partition was revoked or sought meanwhile: the work may be dropped, it will not be committed. */
  isStale(): boolean;
}

/**
 * Handles one partition's batch. Resolve only when every output is durable (produced with acks=all, or
 * acknowledged by Milvus): the runner then commits the offset after the last record. Throw to have the same
 * batch retried with backoff; bad records must go to the DLQ inside the handler instead of throwing.
 */
export type BatchHandler = (records: StageRecord[], ctx: BatchContext) => Promise<void>;

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
      // A rejoin after an outage pause keeps the new assignment paused too.
      if (this.paused) this.consumer.pause([{ topic: options.topic }]);
      this.updatePausedGauge();
    });
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
    this.stopping.abort(new ShuttingDownError());
    clearInterval(this.lagTimer);
    void this.lagAdmin?.disconnect().catch(() => {});
    const disconnect = this.consumer.disconnect();
    const deadline = sleep(graceMs).then(() => 'timeout' as const);
    const outcome = await Promise.race([disconnect.then(() => 'done' as const), deadline]);
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
      signal: this.stopping.signal,
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
    try {
      for (let attempt = 0; ; attempt++) {
        if (gone()) {
          logger.info(
            { partition: batch.partition, offset: batch.firstOffset() },
            'batch dropped uncommitted: partition revoked',
          );
          return;
        }
        try {
          await this.options.handler(records, ctx);
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
      const last = records[records.length - 1]!.offset;
      // Done, but the partition may be someone else's now: its new owner redoes the batch (idempotent).
      // (Stopping is no reason to skip: a graceful stop commits what it finished.)
      if (payload.isStale() || revoked.signal.aborted) return;
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

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}
