import type { ServiceName } from '@freshet/config';
import {
  consumerDrainMs,
  exitOnSignals,
  exitOnStartupError,
  type HealthServer,
  type Logger,
  type ReadinessCheck,
} from '@freshet/telemetry';
import type { StageRunner, StageRunnerOptions } from './stage-runner.js';
import { createStageLogger, type StageBasics, type StageConfig, startStage } from './stage-start.js';

type Close = () => Promise<unknown> | void;

/** What a stage's composition gets: its config, logger, tracing, metrics and Kafka client. */
export interface StageContext<C> extends StageBasics {
  config: C;
  logger: Logger;
  /**
   * Registers a client to close once the consumer has drained. Closed last-registered first: a client is
   * registered when it is made, so one made from another (the producer after the Milvus client, the
   * writer's availability probe after the producer) goes before it.
   */
  onClose(close: Close): void;
  /** The consumer options every stage's runner takes from its config; a stage adds its topic and handler. */
  runnerOptions: Omit<StageRunnerOptions, 'topic' | 'handler'>;
}

/** What a stage is made of, beyond what every stage has. */
export interface StageParts {
  runner: StageRunner;
  /** Readiness checks besides the consumer's own (`kafka`, always first). */
  readiness: ReadinessCheck[];
  /**
   * Work that drains alongside the consumer within the consumer's share of the grace period (the
   * embedder's in-flight embeddings), before the registered clients are closed.
   */
  drainAlongside?: (drainMs: number) => Promise<void>;
  /** Fields logged with "health server listening" (the embedder's provider and model). */
  describe?: Record<string, unknown>;
}

/** Why a stage refuses to run: the readiness check that reports it, and what to tell the operator. */
export interface StageRefusal {
  check: string;
  code: string;
  message: string;
}

export interface StageDefinition<C extends StageConfig> {
  stage: ServiceName;
  loadConfig(): C;
  compose(context: StageContext<C>): Promise<StageParts>;
  /**
   * Start-up errors that a restart cannot fix and that the operator must see rather than a crash loop
   * (a model mismatch, issue 14): the process stays up with /healthz alive and /readyz false naming the
   * reason, and exits 0 on SIGTERM. Any other start-up error exits 2, as before.
   */
  refusal?(error: unknown): StageRefusal | null;
}

/**
 * The one start-up and shutdown order of every stage (issue 14), so a fix to it lands once.
 *
 * Start: config (a wrong variable exits 2 naming it) → logger → tracing, metrics, health server (not
 * ready) → Kafka (retried with backoff, /readyz naming why it cannot connect), topics → the stage's
 * composition → its readiness checks → signals → consume.
 * SIGTERM: /readyz draining → the consumer stops fetching, finishes and commits within
 * consumerDrainMs (with `drainAlongside`) → registered clients closed, last first (producer before
 * Milvus) → tracing flushed → health server closed; the whole within FRESHET_SHUTDOWN_GRACE_MS.
 */
export function runStage<C extends StageConfig>(definition: StageDefinition<C>): void {
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (error) {
    // A ConfigError's message names each wrong variable; it goes to stderr and the process exits 2.
    exitOnStartupError(error);
  }
  const logger = createStageLogger(definition.stage, config);
  start(definition, config, logger).catch((error: unknown) => exitOnStartupError(error, logger));
}

async function start<C extends StageConfig>(
  definition: StageDefinition<C>,
  config: C,
  logger: Logger,
): Promise<void> {
  const basics = await startStage(definition.stage, config, logger);
  const closers: Close[] = [];
  const closeClients = async () => {
    for (const close of closers.reverse()) await close();
    await basics.tracing.shutdown();
  };
  const graceMs = config.service.shutdownGraceMs;

  let parts: StageParts;
  try {
    const runnerOptions = {
      stage: definition.stage,
      kafka: basics.kafka,
      groupId: config.service.groupId,
      logger,
      metrics: basics.metrics,
      partitionsConcurrency: config.service.partitionsConcurrency,
      retry: config.service.retry,
      consumer: {
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
      },
    };
    parts = await definition.compose({
      ...basics,
      config,
      logger,
      runnerOptions,
      onClose: (close) => closers.push(close),
    });
  } catch (error) {
    const refusal = definition.refusal?.(error) ?? null;
    if (!refusal) throw error;
    await refuse(refusal, error, { config, logger, health: basics.health, closeClients });
    return;
  }

  const { runner } = parts;
  // The health server has answered since start-up (startStage); the stage's own checks join it now.
  const { health, startup } = basics;
  health.addReadiness({ name: 'kafka', check: () => runner.health() }, ...parts.readiness);
  startup.done();
  if (parts.describe) logger.info(parts.describe, 'stage composed');

  exitOnSignals(
    async () => {
      health.draining();
      const drainMs = consumerDrainMs(graceMs);
      await Promise.all([runner.stop(drainMs), parts.drainAlongside?.(drainMs)]);
      await closeClients();
      await health.close();
    },
    { graceMs, logger },
  );
  await runner.start();
  logger.info('consuming');
}

/**
 * Stays up, not ready, with the reason: a crash loop would hide it behind restarts and back-off, while a
 * pod that is alive and never ready stalls its rollout with the reason on /readyz and in one log line.
 * No periodic re-check: the way out (re-index and hand-over, or another collection) ends in a restart
 * anyway, and a stage that started by itself after an alias swap would join its group before the
 * re-index's hand-over had set the offsets.
 */
async function refuse(
  refusal: StageRefusal,
  error: unknown,
  stage: { config: StageConfig; logger: Logger; health: HealthServer; closeClients: () => Promise<void> },
): Promise<void> {
  const { config, logger, health } = stage;
  logger.error({ err: error, code: refusal.code }, `refusing to run: ${refusal.message}`);
  // The start-up check stays unready ('preparing the stage'); this one says why it will not get further.
  health.addReadiness({ name: refusal.check, check: () => ({ ok: false, detail: refusal.message }) });
  exitOnSignals(
    async () => {
      health.draining();
      await stage.closeClients();
      await health.close();
    },
    { graceMs: config.service.shutdownGraceMs, logger },
  );
}
