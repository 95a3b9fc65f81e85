import type { CommonConfig, MilvusConfig, ServiceName } from '@freshet/config';
import {
  createLogger,
  createMetrics,
  type Logger,
  type PipelineMetrics,
  startTracing,
  type Tracing,
} from '@freshet/telemetry';
import type { Kafka } from 'kafkajs';
import { createKafka } from './client.js';
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
  kafka: Kafka;
  topics: TopicPlan;
}

/**
 * What every stage starts with: tracing, its metrics, a Kafka client, and the topics created with equal
 * partition counts (DESIGN §1) so whichever stage starts first can run.
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
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await ensureTopics(admin, config.topics);
    if (topics.created.length > 0) logger.info({ created: topics.created }, 'topics created');
    return { tracing, metrics, kafka, topics };
  } finally {
    await admin.disconnect();
  }
}
