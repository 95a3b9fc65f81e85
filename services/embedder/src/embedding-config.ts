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
