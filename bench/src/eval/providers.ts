// The embedding providers the eval compares, each built through the project's own createEmbeddingClient
// (the embedder's batching, truncation and breaker), named as on the command line.
import { defaultModelsDir, type EmbeddingConfig, LOCAL_MODELS, missingModelFiles } from '@freshet/embedding';

export interface EvalProvider {
  /** As given to --providers and shown in the results: `hash`, `local:<model>`, `openai`. */
  name: string;
  /** How the catalog is embedded (what the embedder does). */
  documents: EmbeddingConfig;
  /** How a query is embedded (what `freshet search` does: BGE's query instruction, say). */
  queries: EmbeddingConfig;
}

export type ProviderEnv = Readonly<Record<string, string | undefined>>;

// A long linger would only slow the one-query-at-a-time search loop; indexing sends full batches anyway.
const BATCH = { lingerMs: 0 } as const;

/** `hash` (feature hashing), `local:<model>` (a model of LOCAL_MODELS in-process), `openai` (FRESHET_EMBEDDING_*). */
export function evalProvider(name: string, env: ProviderEnv = process.env): EvalProvider {
  if (name === 'hash') {
    const config: EmbeddingConfig = { provider: 'hash', batch: BATCH };
    return { name, documents: config, queries: config };
  }
  if (name.startsWith('local:')) {
    const model = name.slice('local:'.length);
    if (!LOCAL_MODELS[model])
      throw new Error(`unknown local model ${model} (${Object.keys(LOCAL_MODELS).join(', ')})`);
    const documents: EmbeddingConfig = { provider: 'local', model, batch: BATCH };
    return { name, documents, queries: { ...documents, local: { input: 'query' } } };
  }
  if (name === 'openai') {
    if (!env.FRESHET_EMBEDDING_API_KEY && !env.FRESHET_EMBEDDING_BASE_URL)
      throw new Error('provider openai needs FRESHET_EMBEDDING_API_KEY or FRESHET_EMBEDDING_BASE_URL');
    const config: EmbeddingConfig = {
      provider: 'openai',
      model: env.FRESHET_EMBEDDING_MODEL,
      dimension: env.FRESHET_EMBEDDING_DIMENSIONS ? Number(env.FRESHET_EMBEDDING_DIMENSIONS) : undefined,
      openai: { apiKey: env.FRESHET_EMBEDDING_API_KEY, baseURL: env.FRESHET_EMBEDDING_BASE_URL },
      batch: BATCH,
    };
    return { name, documents: config, queries: config };
  }
  throw new Error(`unknown provider ${name} (hash, local:<model>, openai)`);
}

/**
 * What runs when --providers is not given: hash, every local model whose files are installed
 * (deploy/local/install models), and the API model when FRESHET_EMBEDDING_API_KEY or _BASE_URL is set.
 */
export function defaultProviders(env: ProviderEnv = process.env): string[] {
  const modelsDir = env.FRESHET_EMBEDDING_MODELS_DIR || defaultModelsDir();
  const names = ['hash'];
  for (const spec of Object.values(LOCAL_MODELS))
    if (missingModelFiles(modelsDir, spec).length === 0) names.push(`local:${spec.id}`);
  if (env.FRESHET_EMBEDDING_API_KEY || env.FRESHET_EMBEDDING_BASE_URL) names.push('openai');
  return names;
}
