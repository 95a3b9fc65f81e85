import type { CommonConfig, MilvusConfig, ServiceName } from '@freshet/config';
import type { AvroCodec, SchemaName } from '@freshet/schemas';
import {
  createLogger,
  createMetrics,
  type HealthServer,
  type Logger,
  type PipelineMetrics,
  StartupProgress,
  startHealthServer,
  startTracing,
  type Tracing,
} from '@freshet/telemetry';
import type { Admin, Kafka } from 'kafkajs';
import { backoffDelay, sleep } from './backoff.js';
import { createKafka } from './client.js';
import { describeKafkaConnectionError } from './connection-errors.js';
import { ensureTopics, type TopicPlan } from './topics.js';

export type StageConfig = CommonConfig & { milvus?: MilvusConfig };

/** The stage's pino logger, masking every credential the config holds wherever it would appear. */
export function createStageLogger(stage: ServiceName, config: StageConfig): Logger {
  return createLogger({
    service: stage,
    level: config.service.logLevel,
    secrets: [
      config.embedding.apiKey,
      config.kafka.sasl?.password,
      config.registry.password,
      config.milvus?.token,
    ],
  });
}

export interface StageBasics {
  tracing: Tracing;
  metrics: PipelineMetrics;
  /** Listening from the start; the stage adds its checks, then marks `startup` done. */
  health: HealthServer;
  startup: StartupProgress;
  kafka: Kafka;
  topics: TopicPlan;
}

/**
 * What every stage starts with: tracing, its metrics, the health server (unready until the stage says
 * so), a Kafka client, and the topics created with equal partition counts (DESIGN §1) so whichever stage
 * starts first can run.
 */
export async function startStage(
  stage: ServiceName,
  config: StageConfig,
  logger: Logger,
): Promise<StageBasics> {
  logger.info({ config }, 'starting');
  const tracing = startTracing({
    service: `freshet-${stage}`,
    namespace: config.service.serviceNamespace,
    otlpEndpoint: config.service.otlpEndpoint,
  });
  const metrics = createMetrics(stage);
  const startup = new StartupProgress();
  const health = await startHealthServer({
    host: config.service.httpHost,
    port: config.service.httpPort,
    registry: metrics.registry,
    readiness: [startup],
  });
  logger.info({ url: health.url, port: health.port }, 'health server listening');
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  await connectUntilDone(admin, config, logger, startup);
  try {
    const topics = await ensureTopics(admin, config.topics);
    if (topics.created.length > 0) logger.info({ created: topics.created }, 'topics created');
    return { tracing, metrics, health, startup, kafka, topics };
  } finally {
    await admin.disconnect();
  }
}

// Between attempts of a start-up step: a wrong password, an untrusted certificate or a registry that is down
// is usually fixed on the other side (the user created, the Secret rolled, the service back), so the stage
// waits unready instead of exiting into a restart loop; the cap means it tries again (and says so) at least
// every 30 s.
const STARTUP_RETRY = { baseMs: 1000, maxMs: 30000 };

/** What a failed start-up attempt was: a stable code and a message for readiness and the log. */
interface StartupFailure {
  code: string;
  message: string;
  err: unknown;
}

/**
 * Runs one start-up step until it succeeds, with backoff; /readyz and the log say why it cannot yet (a
 * dependency down at start must not hang the stage silently, nor crash it into a restart loop).
 */
async function retryStartupStep<T>(options: {
  /** For the log: 'connect to Kafka', 'register EmbedRequest'. */
  what: string;
  step: () => Promise<T>;
  describe: (error: unknown) => StartupFailure;
  logger: Logger;
  progress: StartupProgress;
}): Promise<T> {
  const { what, step, describe, logger, progress } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await step();
      if (attempt > 1) logger.info({ attempt }, `${what}: done`);
      return result;
    } catch (error) {
      const { code, message, err } = describe(error);
      const delayMs = Math.max(
        STARTUP_RETRY.baseMs,
        backoffDelay(attempt, STARTUP_RETRY.baseMs, STARTUP_RETRY.maxMs),
      );
      progress.waiting(`${code}: ${message}`);
      logger.error({ code, attempt, retryInMs: delayMs, err }, `cannot ${what}; retrying`);
      await sleep(delayMs);
    }
  }
}

/**
 * Registers the schema of the stage's output topic (the router's EmbedRequest, the embedder's IndexWrite)
 * under `<topic>-value`, retried like the Kafka connect while the registry cannot take it; the schema id.
 */
export function registerOutputSchema(
  codec: AvroCodec,
  topic: string,
  schema: SchemaName,
  context: { logger: Logger; startup: StartupProgress },
): Promise<number> {
  return retryStartupStep({
    what: `register ${schema} with the schema registry`,
    step: () => codec.register(topic, schema),
    describe(error) {
      // The codec's DecodeError carries its code (FRESHET_REGISTRY_UNAVAILABLE).
      const code = (error as { code?: unknown } | null)?.code;
      return {
        code: typeof code === 'string' ? code : 'FRESHET_REGISTRY_UNAVAILABLE',
        message: error instanceof Error ? error.message : String(error),
        err: error,
      };
    },
    logger: context.logger,
    progress: context.startup,
  });
}

/** Connects the admin client, retrying with backoff; readiness and the log say why it cannot yet. */
async function connectUntilDone(
  admin: Admin,
  config: StageConfig,
  logger: Logger,
  progress: StartupProgress,
): Promise<void> {
  await retryStartupStep({
    what: 'connect to Kafka',
    step: () => admin.connect(),
    describe(error) {
      const named = describeKafkaConnectionError(error, config.kafka);
      const code = (named as { code?: unknown }).code;
      return {
        code: String(code ?? 'FRESHET_KAFKA_UNREACHABLE'),
        message: named instanceof Error ? named.message : String(named),
        err: named,
      };
    },
    logger,
    progress,
  });
  progress.waiting('kafka connected; preparing the stage');
}
