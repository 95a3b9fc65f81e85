import type { EmbeddingModelConfig } from '@freshet/config';
import type { EmbeddingConfig } from '@freshet/embedding';

/**
 * The same provider, model and dimension the embedder uses (one FRESHET_EMBEDDING_* config), so a query
 * vector lives in the index's space. One query: no linger, no cache; the local model embeds it as a
 * query (BGE's query instruction) in one worker.
 */
export function queryEmbeddingConfig(m: EmbeddingModelConfig): EmbeddingConfig {
  return {
    provider: m.provider,
    model: m.model,
    dimension: m.dimension,
    local: { ...m.local, workers: 1, input: 'query' },
    openai: {
      ...(m.baseUrl ? { baseURL: m.baseUrl } : {}),
      ...(m.apiKey ? { apiKey: m.apiKey } : {}),
      ...(m.secondaryBaseUrl ? { secondary: { baseURL: m.secondaryBaseUrl } } : {}),
    },
    batch: { lingerMs: 0 },
    cache: { embeddingMaxBytes: 0, productHashMaxEntries: 0 },
  };
}
