import { loadRouterConfig, type RouterConfig } from '@freshet/config';
import {
  createOrderedProducer,
  createStageLogger,
  DlqPublisher,
  StageRunner,
  startStage,
} from '@freshet/kafka';
import { AvroCodec } from '@freshet/schemas';
import {
  consumerDrainMs,
  exitOnSignals,
  exitOnStartupError,
  type Logger,
  startHealthServer,
} from '@freshet/telemetry';
import { DedupWindow } from './dedup.js';
import { createRouterHandler, STAGE } from './handler.js';
import { registryReadiness } from './readiness.js';
import { type RouteOptions, routeOptions } from './route.js';

async function main(config: RouterConfig, route: RouteOptions): Promise<void> {
  const logger = createStageLogger(STAGE, config);
  try {
    await run(config, route, logger);
  } catch (error) {
    exitOnStartupError(error, logger);
  }
}

async function run(config: RouterConfig, route: RouteOptions, logger: Logger): Promise<void> {
  const { tracing, metrics, kafka } = await startStage(STAGE, config, logger);

  // Producers register ProductEvent under the input topic themselves; the router owns EmbedRequest.
  const codec = new AvroCodec(config.registry);
  const schemaId = await codec.register(route.embedTopic, 'EmbedRequest');
  logger.info({ subject: `${route.embedTopic}-value`, schemaId }, 'EmbedRequest schema registered');

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
      dlq: new DlqPublisher(producer, config.topics.dlq, STAGE),
      dedup: new DedupWindow(config.router.dedupWindow),
      route,
      rules: { textMaxBytes: config.router.textMaxBytes },
      metrics,
      logger,
    }),
  });

  const health = await startHealthServer({
    host: config.service.httpHost,
    port: config.service.httpPort,
    registry: metrics.registry,
    readiness: [{ name: 'kafka', check: () => runner.health() }, registryReadiness(config.registry)],
  });
  logger.info({ url: health.url, port: health.port }, 'health server listening');

  exitOnSignals(
    async () => {
      health.draining();
      await runner.stop(consumerDrainMs(config.service.shutdownGraceMs));
      await producer.disconnect();
      await tracing.shutdown();
      await health.close();
    },
    { graceMs: config.service.shutdownGraceMs, logger },
  );
  await runner.start();
  logger.info({ topic: config.topics.input, groupId: config.service.groupId }, 'consuming');
}

let config: RouterConfig;
let route: RouteOptions;
try {
  config = loadRouterConfig();
  route = routeOptions(config);
} catch (error) {
  // A ConfigError's message names each wrong variable; it goes to stderr and the process exits 2.
  exitOnStartupError(error);
}
void main(config, route);
