import { type EmbedderConfig, loadEmbedderConfig } from '@freshet/config';
import { createEmbeddingClient } from '@freshet/embedding';
import {
  createOrderedProducer,
  DlqPublisher,
  registerOutputSchema,
  runStage,
  StageRunner,
} from '@freshet/kafka';
import {
  createMilvusClient,
  ensureStageCollection,
  fetchIndexedVectors,
  milvusReadiness,
  modelRefusal,
} from '@freshet/milvus';
import { AvroCodec } from '@freshet/schemas';
import { createFailpoints } from '@freshet/telemetry';
import { embeddingConfig, pendingRecordsFor } from './embedding-config.js';
import { createEmbedderHandler } from './handler.js';

const STAGE = 'embedder';

runStage<EmbedderConfig>({
  stage: STAGE,
  loadConfig: loadEmbedderConfig,
  // Another model than the collection's: stay up, not ready, with the reason (issue 14).
  refusal: modelRefusal,
  async compose({ config, logger, metrics, kafka, onClose, runnerOptions, startup }) {
    const embeddings = createEmbeddingClient(embeddingConfig(config), { registry: metrics.registry, logger });

    const codec = new AvroCodec(config.registry);
    await registerOutputSchema(codec, config.topics.index, 'IndexWrite', { logger, startup });

    const milvus = createMilvusClient(config.milvus);
    onClose(() => milvus.closeConnection());
    // Pinned like the writer: indexed hashes are read from the collection of this embedder's model.
    const { physical } = await ensureStageCollection(milvus, {
      alias: config.milvus.collection,
      model: {
        model: embeddings.model,
        dimension: embeddings.dimension,
        templateVersion: config.embedding.templateVersion,
      },
      who: 'the embedder',
      retryMs: config.service.retry.maxMs,
      onWait: (error) => logger.warn({ err: error }, 'milvus unavailable at start; waiting'),
    });

    const producer = createOrderedProducer(kafka);
    await producer.connect();
    onClose(() => producer.disconnect());

    const runner = new StageRunner({
      ...runnerOptions,
      consumer: { ...runnerOptions.consumer, maxBytesPerPartition: config.embedder.maxBytesPerPartition },
      maxPendingRecords: pendingRecordsFor(embeddings.provider, config.embedder.maxPendingRecords),
      topic: config.topics.embed,
      handler: createEmbedderHandler({
        codec,
        producer,
        indexTopic: config.topics.index,
        dlq: new DlqPublisher(producer, config.topics.dlq, STAGE),
        embeddings,
        lookupIndexed: (ids, wanted) => fetchIndexedVectors(milvus, physical, ids, wanted),
        model: { model: embeddings.model, dimension: embeddings.dimension },
        metrics,
        logger,
        retry: config.service.retry,
        failpoints: createFailpoints(config.service.failpoints, logger),
      }),
    });
    // DESIGN §3: while the breaker is open, pause (no skipping, no DLQ for an outage). Half-open, fetching
    // resumes so a batch makes the probe call even when no failed batch is left to retry it (one dropped
    // on a rebalance): the probe succeeding closes the breaker, failing reopens it and pauses again.
    embeddings.breaker.onOpen(() => runner.pause('embedding API breaker open'));
    embeddings.breaker.onHalfOpen(() => runner.resume('embedding API breaker half-open: probing'));
    embeddings.breaker.onClose(() => runner.resume('embedding API breaker closed'));

    return {
      runner,
      // The embedder reads indexed hashes from Milvus; without it every text would be re-embedded.
      readiness: [{ name: 'milvus', check: () => milvusReadiness(milvus) }],
      // In-flight embeddings get half the drain to finish; then their waits (backoff, Retry-After, an open
      // breaker) are aborted, the batch fails, and the runner drops it uncommitted instead of overrunning.
      drainAlongside: (drainMs) => embeddings.close({ graceMs: Math.floor(drainMs / 2) }),
      describe: { provider: embeddings.provider, model: embeddings.model },
    };
  },
});
