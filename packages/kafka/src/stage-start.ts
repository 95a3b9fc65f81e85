import type { CommonConfig, MilvusConfig, ServiceName } from '@freshet/config';
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

// Between connection attempts at start-up: a wrong password or an untrusted certificate is usually
// fixed on the other side (the user created, the Secret rolled), so the stage waits unready instead
// of exiting into a restart loop; the cap means it tries again (and says so) at least every 30 s.
const CONNECT_RETRY = { baseMs: 1000, maxMs: 30000 };

/** Connects the admin client, retrying with backoff; readiness and the log say why it cannot yet. */
async function connectUntilDone(
  admin: Admin,
  config: StageConfig,
  logger: Logger,
  progress: StartupProgress,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.connect();
      progress.waiting('kafka connected; preparing the stage');
      if (attempt > 1) logger.info({ attempt }, 'connected to Kafka');
      return;
    } catch (error) {
      const named = describeKafkaConnectionError(error, config.kafka);
      const code = (named as { code?: unknown }).code;
      const message = named instanceof Error ? named.message : String(named);
      const delayMs = Math.max(
        CONNECT_RETRY.baseMs,
        backoffDelay(attempt, CONNECT_RETRY.baseMs, CONNECT_RETRY.maxMs),
      );
      progress.waiting(`${String(code ?? 'FRESHET_KAFKA_UNREACHABLE')}: ${message}`);
      logger.error({ code, attempt, retryInMs: delayMs, err: named }, 'cannot connect to Kafka; retrying');
      await sleep(delayMs);
    }
  }
}
