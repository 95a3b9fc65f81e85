import type { EmbedderConfig } from '@freshet/config';
import type { EmbeddingConfig } from '@freshet/embedding';

/** Maps the validated env config onto the embedding library's config. */
export function embeddingConfig(config: EmbedderConfig): EmbeddingConfig {
  const e = config.embedder;
  const m = config.embedding;
  return {
    provider: m.provider,
    model: m.model,
    dimension: m.dimension,
    local: { ...m.local, input: 'document' },
    openai: {
      ...(m.baseUrl ? { baseURL: m.baseUrl } : {}),
      ...(m.apiKey ? { apiKey: m.apiKey } : {}),
      timeoutMs: e.timeoutMs,
      ...(m.secondaryBaseUrl ? { secondary: { baseURL: m.secondaryBaseUrl } } : {}),
    },
    batch: {
      maxInputs: e.maxInputs,
      maxTokensPerRequest: e.maxTokensPerRequest,
      lingerMs: e.lingerMs,
      maxInputTokens: e.maxInputTokens,
      concurrency: e.concurrency,
    },
    retry: { maxRetries: e.maxRetries },
    rateLimit: { requestsPerMinute: e.rpm, tokensPerMinute: e.tpm },
    breaker: {
      errorThresholdPercentage: e.breaker.errorThresholdPercentage,
      volumeThreshold: e.breaker.volumeThreshold,
      resetTimeoutMs: e.breaker.resetTimeoutMs,
    },
    cache: { embeddingMaxBytes: e.cacheMb * 1024 * 1024, productHashMaxEntries: e.hashCacheSize },
  };
}

/**
 * Records a partition may hold in unfinished batches (the stage runner's maxPendingRecords). An API keeps
 * `concurrency` requests of up to `maxInputs` texts in flight, and 500 records per partition (about a third
 * of them texts) fill them. The local model embeds ~200 texts/s in one worker: 100 records per partition
 * still keep it busy for about a second, and 500 held ~3,900 records whose texts were ~25 MB of the
 * embedder's heap under a backlog (README, Memory).
 */
export function pendingRecordsFor(provider: string, configured: number | undefined): number {
  return configured ?? (provider === 'local' ? 100 : 500);
}
