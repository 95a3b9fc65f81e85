import { loadRouterConfig, type RouterConfig } from '@freshet/config';
import { createKafka, createOrderedProducer, DlqPublisher, ensureTopics, StageRunner } from '@freshet/kafka';
import { AvroCodec } from '@freshet/schemas';
import {
  createLogger,
  createMetrics,
  exitOnSignals,
  exitOnStartupError,
  startHealthServer,
  startTracing,
} from '@freshet/telemetry';
import { DedupWindow } from './dedup.js';
import { createRouterHandler } from './handler.js';

const STAGE = 'router';

async function main(config: RouterConfig): Promise<void> {
  const logger = createLogger({
    service: STAGE,
    level: config.service.logLevel,
    secrets: [config.embedding.apiKey, config.kafka.sasl?.password, config.registry.password],
  });
  logger.info({ config }, 'starting');
  const tracing = startTracing({
    service: `freshet-${STAGE}`,
    namespace: config.service.serviceNamespace,
    otlpEndpoint: config.service.otlpEndpoint,
  });
  const metrics = createMetrics(STAGE);
  const kafka = createKafka(config.kafka, logger);

  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.topics);
  await admin.disconnect();

  const codec = new AvroCodec(config.registry);
  await codec.register(config.topics.embed, 'EmbedRequest');
  const producer = createOrderedProducer(kafka);
  await producer.connect();

  const runner = new StageRunner({
    stage: STAGE,
    kafka,
    groupId: config.service.groupId,
    topic: config.topics.input,
    logger,
    metrics,
    partitionsConcurrency: config.service.partitionsConcurrency,
    retry: config.service.retry,
    consumer: {
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
    },
    handler: createRouterHandler({
      codec,
      producer,
      embedTopic: config.topics.embed,
      dlq: new DlqPublisher(producer, config.topics.dlq, STAGE),
      dedup: new DedupWindow(config.router.dedupWindow),
      route: {
        model: config.embedding.model,
        dimension: config.embedding.dimension,
        templateVersion: config.embedding.templateVersion,
        attributes: config.router.textAttributes,
      },
      textMaxBytes: config.router.textMaxBytes,
      metrics,
      logger,
    }),
  });

  const health = await startHealthServer({
    host: config.service.httpHost,
    port: config.service.httpPort,
    registry: metrics.registry,
    readiness: [
      { name: 'kafka', check: () => runner.health() },
      {
        name: 'registry',
        check: async () => {
          const res = await fetch(`${config.registry.url.replace(/\/$/, '')}/config`, {
            signal: AbortSignal.timeout(2000),
          });
          return { ok: res.ok, detail: `HTTP ${res.status}` };
        },
      },
    ],
  });
  logger.info({ url: health.url }, 'health server listening');

  exitOnSignals(
    async () => {
      health.draining();
      await runner.stop(config.service.shutdownGraceMs);
      await producer.disconnect();
      await tracing.shutdown();
      await health.close();
    },
    { graceMs: config.service.shutdownGraceMs, logger },
  );
  await runner.start();
}

let config: RouterConfig;
try {
  config = loadRouterConfig();
} catch (error) {
  exitOnStartupError(error);
}
main(config).catch((error: unknown) => exitOnStartupError(error));
