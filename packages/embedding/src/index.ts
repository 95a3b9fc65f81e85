export {
  type BatcherOptions,
  EmbeddingBatcher,
  type Schedule,
  type SendBatch,
} from './batcher.js';
export { type BreakerOptions, EmbeddingBreaker } from './breaker.js';
export { type CacheCounters, type CacheOptions, EmbeddingCache, ProductHashCache } from './cache.js';
export { resolveEmbeddingConfig } from './config.js';
export {
  type BreakerHandle,
  createEmbeddingClient,
  type EmbeddingClient,
  type EmbeddingClientDeps,
} from './create.js';
export { createBatchSender, type RequestPipeline } from './embedding-request.js';
export {
  BreakerOpenError,
  EMBEDDING_ERROR_CODES,
  EmbeddingAbortedError,
  EmbeddingApiError,
  EmbeddingConfigError,
  EmbeddingDimensionError,
  EmbeddingError,
  type EmbeddingErrorCode,
  type EmbeddingErrorOptions,
  EmbeddingResponseError,
  type FailureReason,
  failureReason,
  isEmbeddingError,
  LocalModelMissingError,
} from './errors.js';
export { FallbackEmbeddingProvider, type FallbackProviderOptions } from './fallback-provider.js';
export {
  HASH_DIMENSION,
  HASH_MODEL,
  HashEmbeddingProvider,
  type HashProviderOptions,
} from './hash-provider.js';
export {
  defaultModelsDir,
  LOCAL_MODELS,
  type LocalModelSpec,
  missingModelFiles,
  type Pooling,
} from './local-models.js';
export { LocalEmbeddingProvider, type LocalProviderOptions } from './local-provider.js';
export {
  BREAKER_STATE_LABEL,
  BREAKER_STATE_VALUE,
  createEmbeddingMetrics,
  type EmbeddingMetrics,
} from './metrics.js';
export {
  classifyStatus,
  decodeEmbeddings,
  OpenAIEmbeddingProvider,
  type OpenAIProviderOptions,
  toEmbeddingError,
} from './openai-provider.js';
export type { EmbeddingProvider } from './provider.js';
export { type Clock, RateLimiter, type RateLimiterOptions, systemClock, TokenBucket } from './rate-limit.js';
export {
  abortableSleep,
  backoffDelayMs,
  isRetryable,
  type RetryEvent,
  type RetryOptions,
  type RetryPolicy,
  retryDelayMs,
  withRetry,
} from './retry.js';
export { type HeaderSource, parseDuration, parseRetryAfter, retryAfterFromHeaders } from './retry-after.js';
export { countTokens, DEFAULT_MAX_INPUT_TOKENS, type Truncation, truncateToTokens } from './tokenizer.js';
export * from './types.js';
