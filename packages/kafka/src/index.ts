export type { Admin, IHeaders, Kafka, Message, Producer } from 'kafkajs';
export { backoffDelay, sleep } from './backoff.js';
export { createKafka } from './client.js';
export { describeKafkaConnectionError, KafkaConnectionError } from './connection-errors.js';
export { type DeadLetter, DlqPublisher } from './dlq.js';
export {
  KAFKA_ERROR_CODES,
  type KafkaErrorCode,
  ShuttingDownError,
  TopicLayoutError,
  TopicsNotReadyError,
} from './errors.js';
export { HEADER, headerString, positionHeaders, sourceHeaders, sourceOffsetOf } from './headers.js';
export { groupLag, type PartitionLag } from './lag.js';
export { partitionForKey } from './partition.js';
export { errorCode, KeyedChain, retryUntilDone } from './pending.js';
export {
  chunkBySize,
  createOrderedProducer,
  MAX_REQUEST_BYTES,
  produceAll,
  SendCoalescer,
} from './producer.js';
export {
  runStage,
  type StageContext,
  type StageDefinition,
  type StageParts,
  type StageRefusal,
} from './stage-lifecycle.js';
export {
  type BatchContext,
  type BatchHandler,
  type ConsumerTuning,
  detachRecord,
  type PendingBatch,
  type StageRecord,
  StageRunner,
  type StageRunnerOptions,
} from './stage-runner.js';
export {
  createStageLogger,
  registerOutputSchema,
  type StageBasics,
  type StageConfig,
  startStage,
} from './stage-start.js';
export { ensureTopics, type TopicPlan } from './topics.js';
