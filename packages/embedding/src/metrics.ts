import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from './types.js';

export interface EmbeddingMetrics {
  /** API calls by outcome: `success` or a FailureReason (`rate_limited`, `unavailable`, `breaker_open`…). */
  requests: Counter<'outcome'>;
  /** Inputs sent in successful requests (after in-batch deduplication). */
  inputs: Counter;
  /** Tokens sent in successful requests, counted with the tokenizer. */
  tokens: Counter;
  retries: Counter<'reason'>;
  throttledSeconds: Counter;
  requestDuration: Histogram;
  batchSize: Histogram;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  truncated: Counter;
  breakerState: Gauge;
  breakerTransitions: Counter<'to'>;
}

/** Label values of `freshet_breaker_transitions_total{to}` and values of `freshet_breaker_state`. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };
export const BREAKER_STATE_LABEL: Record<BreakerState, string> = {
  closed: 'closed',
  halfOpen: 'half_open',
  open: 'open',
};

/** Registers the embedding metrics on `registry` (one client per registry: names must be unique). */
export function createEmbeddingMetrics(registry: Registry): EmbeddingMetrics {
  const registers = [registry];
  const metrics: EmbeddingMetrics = {
    requests: new Counter({
      name: 'freshet_embedding_requests_total',
      help: 'Embedding API calls by outcome (success or failure reason)',
      labelNames: ['outcome'],
      registers,
    }),
    inputs: new Counter({
      name: 'freshet_embedding_inputs_total',
      help: 'Texts embedded by the API (after deduplication within a batch)',
      registers,
    }),
    tokens: new Counter({
      name: 'freshet_embedding_tokens_total',
      help: "Tokens embedded by successful requests: the API's billed usage (cl100k when it reports none), the model's own for local",
      registers,
    }),
    retries: new Counter({
      name: 'freshet_embedding_retries_total',
      help: 'Embedding request retries by the failure that caused them',
      labelNames: ['reason'],
      registers,
    }),
    throttledSeconds: new Counter({
      name: 'freshet_embedding_throttled_seconds_total',
      help: 'Time embedding requests waited for the RPM/TPM budget',
      registers,
    }),
    requestDuration: new Histogram({
      name: 'freshet_embedding_request_duration_seconds',
      help: 'Duration of one embedding API call (one attempt)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    batchSize: new Histogram({
      name: 'freshet_embedding_batch_size',
      help: 'Inputs per embedding request',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
      registers,
    }),
    cacheHits: new Counter({
      name: 'freshet_embedding_cache_hits_total',
      help: 'Cache hits by cache (embedding: content hash → vector, product_hash: productId → content hash)',
      labelNames: ['cache'],
      registers,
    }),
    cacheMisses: new Counter({
      name: 'freshet_embedding_cache_misses_total',
      help: 'Cache misses by cache',
      labelNames: ['cache'],
      registers,
    }),
    truncated: new Counter({
      name: 'freshet_embedding_truncated_total',
      help: 'Texts cut at the model input token limit',
      registers,
    }),
    breakerState: new Gauge({
      name: 'freshet_breaker_state',
      help: 'Embedding API circuit breaker: 0 closed, 1 half-open, 2 open',
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'freshet_breaker_transitions_total',
      help: 'Embedding API circuit breaker transitions by target state',
      labelNames: ['to'],
      registers,
    }),
  };
  metrics.breakerState.set(0);
  return metrics;
}
