import { DEFAULT_LOCAL_MODEL } from './local-models.js';

/**
 * Configuration of the embedding client. Every field is optional; `resolveEmbeddingConfig` fills
 * the defaults written here (they are also exported as `EMBEDDING_DEFAULTS` so the env schema in
 * packages/config can reuse the same numbers instead of restating them). Optional fields accept an
 * explicit `undefined` ("not set"), so a parsed env maps onto this shape field by field.
 */
export interface EmbeddingConfig {
  /**
   * `openai` (any OpenAI-compatible endpoint), `local` (a sentence-embedding model run in-process with
   * ONNX Runtime, offline) or `hash` (feature hashing, no model files), DESIGN §3.
   * Default: `openai` when `openai.apiKey` is set, otherwise `local`.
   */
  provider?: ProviderKind | undefined;
  /**
   * Model id sent to the API and written next to every vector.
   * Default: `text-embedding-3-small` for openai, `all-minilm-l6-v2-q-mean48+lex` for local (or another
   * of LOCAL_MODELS), `freshet-hash-v1` for hash.
   */
  model?: string | undefined;
  /**
   * Vector dimension; every returned vector is checked against it.
   * Default: the local model's (384, or 768 with `+lex`); hash 384; openai 1536 for text-embedding-3-small and text-embedding-ada-002,
   * 3072 for text-embedding-3-large; required for any other model.
   */
  dimension?: number | undefined;
  openai?: OpenAIConfig | undefined;
  local?: LocalConfig | undefined;
  batch?: BatchConfig | undefined;
  retry?: RetryConfig | undefined;
  rateLimit?: RateLimitConfig | undefined;
  breaker?: BreakerConfig | undefined;
  cache?: CacheConfig | undefined;
}

export type ProviderKind = 'local' | 'hash' | 'openai';

export interface LocalConfig {
  /** Folder with one folder per model. Default `${FRESHET_CACHE:-${XDG_CACHE_HOME:-~/.cache}/freshet}/models`. */
  modelsDir?: string | undefined;
  /** Inference worker threads, each holding the model. Default 1 (bench/README: 2 cores). */
  workers?: number | undefined;
  /** ONNX Runtime intra-op threads per worker. Default 1. */
  threads?: number | undefined;
  /**
   * Texts per inference call. Default 1: the int8 models quantize their activations with one scale per
   * call, so a text's vector depended on the texts that shared its call (the eval's English recall@5 moved
   * by ±0.02 with the grouping). One at a time, a text always gets the same vector, for ~10 % more CPU per
   * text than 8 (README, the local provider).
   */
  batchSize?: number | undefined;
  /** `query` adds the model's query instruction (the CLI's search); `document` for indexing. Default `document`. */
  input?: 'document' | 'query' | undefined;
}

export interface OpenAIEndpoint {
  /** Base URL of an OpenAI-compatible API, up to and including `/v1`. Default `https://api.openai.com/v1`. */
  baseURL?: string | undefined;
  /** Bearer key (from a secret). Default: none (sent as a placeholder to keyless endpoints). */
  apiKey?: string | undefined;
}

export interface OpenAIConfig extends OpenAIEndpoint {
  /** `OpenAI-Organization` header. Default: none (the SDK's env fallback is disabled on purpose). */
  organization?: string | undefined;
  /** `OpenAI-Project` header. Default: none. */
  project?: string | undefined;
  /** Timeout of one HTTP request in ms. Default 10_000. */
  timeoutMs?: number | undefined;
  /**
   * Send `dimensions` in the request. Only text-embedding-3 and later accept it; other models and
   * many compatible servers reject the field. Default: true for `text-embedding-3-*`, else false.
   */
  sendDimensions?: boolean | undefined;
  /**
   * `encoding_format` asked for. Both answers are decoded whatever the server sends.
   * Default `base64` (4 bytes per float on the wire instead of ~20 characters of JSON).
   */
  encodingFormat?: 'base64' | 'float' | undefined;
  /**
   * A second endpoint serving the same model (another region or proxy), used when the primary fails
   * with a retryable error. Default: none. Its `apiKey` defaults to the primary's.
   */
  secondary?: (OpenAIEndpoint & { baseURL: string }) | undefined;
  /** After a retryable failure of the primary, calls go to the secondary for this long (ms). Default 10_000. */
  primaryCooldownMs?: number | undefined;
}

export interface BatchConfig {
  /** Most inputs in one request (the OpenAI API accepts up to 2048). Default 256. */
  maxInputs?: number | undefined;
  /**
   * Most tokens in one request, summed over its inputs: OpenAI's documented limit, 300,000, by default.
   * Without a TPM budget each text counts as its UTF-8 bytes (a bound: a cl100k token is at least a byte),
   * so a request never passes the limit and most texts need no tokenizing (create.ts).
   */
  maxTokensPerRequest?: number | undefined;
  /** How long the first queued text waits for company before its batch is sent (ms). Default 10. */
  lingerMs?: number | undefined;
  /** Per-input model limit; longer texts are truncated to it (8,191 for text-embedding-3-*). Default 8191. */
  maxInputTokens?: number | undefined;
  /** Requests in flight at once. Default 4. */
  concurrency?: number | undefined;
}

export interface RetryConfig {
  /** Retries after the first attempt of a request (so attempts = maxRetries + 1). Default 6. */
  maxRetries?: number | undefined;
  /** Backoff base: attempt n waits random(0, min(cap, base·2ⁿ)) ms (full jitter). Default 250. */
  baseDelayMs?: number | undefined;
  /** Backoff cap in ms. Default 20_000. */
  maxDelayMs?: number | undefined;
  /** Longest server-requested wait (Retry-After, x-ratelimit-reset-*) we honour, in ms. Default 60_000. */
  maxRetryAfterMs?: number | undefined;
}

export interface RateLimitConfig {
  /** Requests per minute budget (a token bucket refilled continuously); 0 = unlimited. Default 0. */
  requestsPerMinute?: number | undefined;
  /** Tokens per minute budget, counted with the tokenizer; 0 = unlimited. Default 0. */
  tokensPerMinute?: number | undefined;
}

export interface BreakerConfig {
  /**
   * Timeout of one provider call in ms (opossum `timeout`), primary and secondary attempts included.
   * Default: `openai.timeoutMs` × number of endpoints + 1_000, so the HTTP timeout fires first.
   */
  timeoutMs?: number | undefined;
  /** Failure percentage within the rolling window that opens the breaker. Default 50. */
  errorThresholdPercentage?: number | undefined;
  /** Calls within the rolling window before the breaker may open. Default 5. */
  volumeThreshold?: number | undefined;
  /** How long the breaker stays open before letting one probe through (ms). Default 10_000. */
  resetTimeoutMs?: number | undefined;
  /** Length of the rolling statistics window (ms). Default 10_000. */
  rollingWindowMs?: number | undefined;
}

export interface CacheConfig {
  /** Bytes of vectors kept in the content-hash → vector cache; 0 disables it. Default 64 MiB. */
  embeddingMaxBytes?: number | undefined;
  /** Entries kept in the productId → content-hash cache; 0 disables it. Default 50_000. */
  productHashMaxEntries?: number | undefined;
}

/** The configuration with every default applied and every value checked. */
export interface ResolvedEmbeddingConfig {
  provider: ProviderKind;
  model: string;
  dimension: number;
  local: Settled<LocalConfig>;
  openai: {
    baseURL: string;
    apiKey: string | undefined;
    organization: string | undefined;
    project: string | undefined;
    timeoutMs: number;
    sendDimensions: boolean;
    encodingFormat: 'base64' | 'float';
    secondary: { baseURL: string; apiKey: string | undefined } | undefined;
    primaryCooldownMs: number;
  };
  batch: Settled<BatchConfig>;
  retry: Settled<RetryConfig>;
  rateLimit: Settled<RateLimitConfig>;
  breaker: Settled<BreakerConfig>;
  cache: Settled<CacheConfig>;
}

/** Every field present and defined. */
export type Settled<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

/**
 * The fixed defaults. Model-dependent ones (model, dimension, sendDimensions, breaker timeout)
 * are derived in `resolveEmbeddingConfig`.
 */
export const EMBEDDING_DEFAULTS = {
  localModel: DEFAULT_LOCAL_MODEL,
  hashModel: 'freshet-hash-v1',
  hashDimension: 384,
  local: { workers: 1, threads: 1, batchSize: 1, input: 'document' },
  // A provider call of the local model runs on this machine's CPU, queued behind other batches: give it
  // far longer than an HTTP request before the breaker calls it a timeout.
  localCallTimeoutMs: 120_000,
  openaiModel: 'text-embedding-3-small',
  openai: {
    baseURL: 'https://api.openai.com/v1',
    timeoutMs: 10_000,
    encodingFormat: 'base64',
    primaryCooldownMs: 10_000,
  },
  batch: { maxInputs: 256, maxTokensPerRequest: 300_000, lingerMs: 10, maxInputTokens: 8191, concurrency: 4 },
  retry: { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 },
  rateLimit: { requestsPerMinute: 0, tokensPerMinute: 0 },
  breaker: {
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    resetTimeoutMs: 10_000,
    rollingWindowMs: 10_000,
  },
  // The embedder's own default (FRESHET_EMBED_CACHE_MB=8): the product-hash cache already skips unchanged
  // texts, so the vector cache only pays for a text that comes back (README, Memory).
  cache: { embeddingMaxBytes: 8 * 1024 * 1024, productHashMaxEntries: 50_000 },
} as const;

/** Dimensions of the OpenAI models we know; other models must state theirs. */
export const KNOWN_MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** The pino logger satisfies this; the package never creates a logger of its own. */
export interface EmbeddingLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';
