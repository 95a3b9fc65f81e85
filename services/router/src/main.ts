import { loadRouterConfig, type RouterConfig } from '@freshet/config';
import {
  createOrderedProducer,
  DlqPublisher,
  registerOutputSchema,
  runStage,
  StageRunner,
} from '@freshet/kafka';
import { AvroCodec } from '@freshet/schemas';
import { DedupWindow } from './dedup.js';
import { createRouterHandler, STAGE } from './handler.js';
import { registryReadiness } from './readiness.js';
import { type RouteOptions, routeOptions } from './route.js';

runStage<RouterConfig & { route: RouteOptions }>({
  stage: STAGE,
  loadConfig() {
    const config = loadRouterConfig();
    return { ...config, route: routeOptions(config) };
  },
  async compose({ config, logger, metrics, kafka, onClose, runnerOptions, startup }) {
    const { route } = config;
    // Producers register ProductEvent under the input topic themselves; the router owns EmbedRequest.
    const codec = new AvroCodec(config.registry);
    const schemaId = await registerOutputSchema(codec, route.embedTopic, 'EmbedRequest', { logger, startup });
    logger.info({ subject: `${route.embedTopic}-value`, schemaId }, 'EmbedRequest schema registered');

    const producer = createOrderedProducer(kafka);
    await producer.connect();
    onClose(() => producer.disconnect());

    const runner = new StageRunner({
      ...runnerOptions,
      topic: config.topics.input,
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
    return { runner, readiness: [registryReadiness(config.registry)] };
  },
});
