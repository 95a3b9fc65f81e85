// The embedding providers the eval compares, each built through the project's own createEmbeddingClient
// (the embedder's batching, truncation and breaker), named as on the command line.
import type { EmbeddingConfig } from '@freshet/embedding';

export interface EvalProvider {
  /** As given to --providers and shown in the results: `hash`, `local:<model>`, `openai`. */
  name: string;
  config: EmbeddingConfig;
}

export type ProviderEnv = Readonly<Record<string, string | undefined>> & {
  FRESHET_EMBEDDING_API_KEY?: string | undefined;
  FRESHET_EMBEDDING_BASE_URL?: string | undefined;
  FRESHET_EMBEDDING_MODEL?: string | undefined;
  FRESHET_EMBEDDING_DIMENSIONS?: string | undefined;
};

// A long linger would only slow the one-query-at-a-time search loop; indexing sends full batches anyway.
const BATCH = { lingerMs: 0 } as const;

/** `hash` (feature hashing), `local:<model>` (a model run in-process), `openai` (FRESHET_EMBEDDING_*). */
export function evalProvider(name: string, env: ProviderEnv = process.env): EvalProvider {
  if (name === 'hash') return { name, config: { provider: 'hash', batch: BATCH } };
  if (name === 'openai') {
    if (!env.FRESHET_EMBEDDING_API_KEY && !env.FRESHET_EMBEDDING_BASE_URL)
      throw new Error('provider openai needs FRESHET_EMBEDDING_API_KEY or FRESHET_EMBEDDING_BASE_URL');
    return {
      name,
      config: {
        provider: 'openai',
        model: env.FRESHET_EMBEDDING_MODEL,
        dimension: env.FRESHET_EMBEDDING_DIMENSIONS ? Number(env.FRESHET_EMBEDDING_DIMENSIONS) : undefined,
        openai: { apiKey: env.FRESHET_EMBEDDING_API_KEY, baseURL: env.FRESHET_EMBEDDING_BASE_URL },
        batch: BATCH,
      },
    };
  }
  throw new Error(`unknown provider ${name} (hash, openai)`);
}

/** What runs when --providers is not given: every offline provider, and the API one when it is configured. */
export function defaultProviders(env: ProviderEnv = process.env): string[] {
  const names = ['hash'];
  if (env.FRESHET_EMBEDDING_API_KEY || env.FRESHET_EMBEDDING_BASE_URL) names.push('openai');
  return names;
}
