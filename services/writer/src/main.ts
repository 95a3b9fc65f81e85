import { loadWriterConfig, type WriterConfig } from '@freshet/config';
import { createOrderedProducer, DlqPublisher, runStage, StageRunner } from '@freshet/kafka';
import {
  createMilvusClient,
  ensureStageCollection,
  milvusReadiness,
  modelRefusal,
  pingMilvus,
  tombstoneName,
} from '@freshet/milvus';
import { AvroCodec } from '@freshet/schemas';
import { createFailpoints } from '@freshet/telemetry';
import { MilvusAvailability } from './availability.js';
import { createWriterHandler } from './handler.js';
import { createMilvusWriterStore } from './milvus-store.js';
import { StateCachingStore, stateCacheMetrics } from './state-cache.js';

const STAGE = 'writer';

runStage<WriterConfig>({
  stage: STAGE,
  loadConfig: loadWriterConfig,
  // Another model than the collection's: stay up, not ready, with the reason (issue 14).
  refusal: modelRefusal,
  async compose({ config, logger, metrics, kafka, onClose, runnerOptions }) {
    const milvus = createMilvusClient(config.milvus);
    onClose(() => milvus.closeConnection());
    const { physical, adopted } = await ensureStageCollection(milvus, {
      alias: config.milvus.collection,
      model: {
        model: config.embedding.model,
        dimension: config.embedding.dimension,
        templateVersion: config.embedding.templateVersion,
      },
      who: 'the writer',
      retryMs: config.service.retry.maxMs,
      onWait: (error) => logger.warn({ err: error }, 'milvus unavailable at start; waiting'),
    });
    logger.info({ alias: config.milvus.collection, physical, adopted }, 'collection ready');

    const producer = createOrderedProducer(kafka);
    await producer.connect();
    onClose(() => producer.disconnect());
    // Pinned to the physical collection the alias pointed at when this writer started (built for its
    // model): after a blue/green swap it keeps writing there and never puts its vectors into the new
    // model's collection; the re-index hands over and the writer is restarted with the new model.
    const store = new StateCachingStore(
      createMilvusWriterStore(
        milvus,
        { products: physical, tombstones: tombstoneName(config.milvus.collection) },
        metrics,
      ),
      {
        maxEntries: config.writer.stateCacheSize,
        // Half the session: a member silent that long may be about to lose its partitions.
        trustMs: Math.floor(config.kafka.sessionTimeoutMs / 2),
        ...stateCacheMetrics(metrics.registry),
      },
    );
    const failpoints = createFailpoints(config.service.failpoints, logger);

    // The runner is created below; its pause/resume are only called once batches run.
    const availability = new MilvusAvailability(
      { pause: (reason) => runner.pause(reason), resume: (reason) => runner.resume(reason) },
      () => pingMilvus(milvus),
      { probeMs: config.service.retry.maxMs, logger },
    );
    onClose(() => availability.stop());
    const runner: StageRunner = new StageRunner({
      ...runnerOptions,
      topic: config.topics.index,
      consumer: {
        ...runnerOptions.consumer,
        maxBytesPerPartition: config.writer.maxBytesPerPartition,
        minBytes: config.writer.minBytes,
        maxWaitTimeInMs: config.writer.maxWaitMs,
      },
      membership: { joined: () => store.joined(), confirmed: () => store.confirmed() },
      handler: createWriterHandler({
        codec: new AvroCodec(config.registry),
        store,
        dlq: new DlqPublisher(producer, config.topics.dlq, STAGE),
        metrics,
        logger,
        model: { model: config.embedding.model, dimension: config.embedding.dimension },
        inputTopic: config.topics.input,
        retry: config.service.retry,
        onAcknowledged: () => failpoints.reach('writer.after-milvus-ack'),
        // Pause fetching while Milvus is down; the failed batch is retried in place with backoff, uncommitted.
        onMilvusAvailability(available, error) {
          if (available) availability.available();
          else availability.unavailable(error);
        },
      }),
    });

    const milvusReady = {
      name: 'milvus',
      check: async () =>
        availability.isUp() ? milvusReadiness(milvus) : { ok: false, detail: 'milvus unavailable; paused' },
    };
    return { runner, readiness: [milvusReady] };
  },
});
