export const KAFKA_ERROR_CODES = [
  'FRESHET_TOPIC_MISMATCH',
  'FRESHET_PRODUCE_FAILED',
  'FRESHET_SHUTTING_DOWN',
  'FRESHET_TOPICS_NOT_READY',
  'FRESHET_KAFKA_AUTH_FAILED',
  'FRESHET_KAFKA_TLS_FAILED',
  'FRESHET_KAFKA_CONNECTION_CLOSED',
  'FRESHET_KAFKA_UNREACHABLE',
] as const;
export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[number];

export class TopicLayoutError extends Error {
  override readonly name = 'TopicLayoutError';
  readonly code = 'FRESHET_TOPIC_MISMATCH';
  readonly canRetry = false;
}

/** New topics still have no leader after the wait: the cluster is busy or unhealthy; try again. */
export class TopicsNotReadyError extends Error {
  override readonly name = 'TopicsNotReadyError';
  readonly code = 'FRESHET_TOPICS_NOT_READY';
  readonly canRetry = true;
}

/** The stage is stopping: unfinished work is abandoned without a commit and redelivered later. */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  readonly code = 'FRESHET_SHUTTING_DOWN';
  readonly canRetry = false;
  constructor(options?: { cause?: unknown }) {
    super('stage is shutting down; batch abandoned without commit', options);
  }
}
