import { EmbeddingConfigError } from './errors.js';
import { defaultModelsDir, LOCAL_MODELS } from './local-models.js';
import {
  EMBEDDING_DEFAULTS as D,
  type EmbeddingConfig,
  KNOWN_MODEL_DIMENSIONS,
  type ResolvedEmbeddingConfig,
  type Settled,
} from './types.js';

/** Applies the defaults documented in types.ts and checks every value; throws `EmbeddingConfigError`. */
export function resolveEmbeddingConfig(config: EmbeddingConfig = {}): ResolvedEmbeddingConfig {
  const o = config.openai ?? {};
  const provider = config.provider ?? (o.apiKey ? 'openai' : 'local');
  const model =
    config.model ?? (provider === 'local' ? D.localModel : provider === 'hash' ? D.hashModel : D.openaiModel);
  const dimension =
    config.dimension ??
    (provider === 'local'
      ? LOCAL_MODELS[model]?.dimension
      : provider === 'hash'
        ? D.hashDimension
        : KNOWN_MODEL_DIMENSIONS[model]);
  if (dimension === undefined) {
    if (provider === 'local') {
      throw new EmbeddingConfigError(
        'model',
        `the local provider runs ${Object.keys(LOCAL_MODELS).join(' or ')}, not ${model}`,
      );
    }
    throw new EmbeddingConfigError('dimension', `model ${model} has no known dimension: set it`);
  }
  const timeoutMs = o.timeoutMs ?? D.openai.timeoutMs;
  const secondary = o.secondary
    ? { baseURL: o.secondary.baseURL, apiKey: o.secondary.apiKey ?? o.apiKey }
    : undefined;
  const endpoints = provider === 'openai' && secondary ? 2 : 1;
  const resolved: ResolvedEmbeddingConfig = {
    provider,
    model,
    dimension,
    local: {
      ...D.local,
      modelsDir: config.local?.modelsDir ?? defaultModelsDir(),
      ...defined({ ...config.local, modelsDir: undefined }),
    },
    openai: {
      baseURL: o.baseURL ?? D.openai.baseURL,
      apiKey: o.apiKey,
      organization: o.organization,
      project: o.project,
      timeoutMs,
      // Only the text-embedding-3 family accepts `dimensions`; ada-002 and most compatible servers reject it.
      sendDimensions: o.sendDimensions ?? model.startsWith('text-embedding-3'),
      encodingFormat: o.encodingFormat ?? D.openai.encodingFormat,
      secondary,
      primaryCooldownMs: o.primaryCooldownMs ?? D.openai.primaryCooldownMs,
    },
    batch: { ...D.batch, ...defined(config.batch) },
    retry: { ...D.retry, ...defined(config.retry) },
    rateLimit: { ...D.rateLimit, ...defined(config.rateLimit) },
    breaker: {
      timeoutMs:
        config.breaker?.timeoutMs ??
        (provider === 'local' ? D.localCallTimeoutMs : timeoutMs * endpoints + 1_000),
      ...D.breaker,
      ...defined(config.breaker),
    },
    cache: { ...D.cache, ...defined(config.cache) },
  };
  check(resolved);
  return resolved;
}

function check(c: ResolvedEmbeddingConfig): void {
  const ints: Array<[string, number, number, number]> = [
    ['dimension', c.dimension, 1, 65_536],
    ['local.workers', c.local.workers, 1, 64],
    ['local.threads', c.local.threads, 1, 64],
    ['local.batchSize', c.local.batchSize, 1, 2048],
    ['openai.timeoutMs', c.openai.timeoutMs, 1, 3_600_000],
    ['openai.primaryCooldownMs', c.openai.primaryCooldownMs, 0, 3_600_000],
    ['batch.maxInputs', c.batch.maxInputs, 1, 2048],
    ['batch.maxTokensPerRequest', c.batch.maxTokensPerRequest, 1, Number.MAX_SAFE_INTEGER],
    ['batch.lingerMs', c.batch.lingerMs, 0, 60_000],
    ['batch.maxInputTokens', c.batch.maxInputTokens, 1, Number.MAX_SAFE_INTEGER],
    ['batch.concurrency', c.batch.concurrency, 1, 1024],
    ['retry.maxRetries', c.retry.maxRetries, 0, 1000],
    ['retry.baseDelayMs', c.retry.baseDelayMs, 0, 3_600_000],
    ['retry.maxDelayMs', c.retry.maxDelayMs, 0, 3_600_000],
    ['retry.maxRetryAfterMs', c.retry.maxRetryAfterMs, 0, 3_600_000],
    ['rateLimit.requestsPerMinute', c.rateLimit.requestsPerMinute, 0, Number.MAX_SAFE_INTEGER],
    ['rateLimit.tokensPerMinute', c.rateLimit.tokensPerMinute, 0, Number.MAX_SAFE_INTEGER],
    ['breaker.timeoutMs', c.breaker.timeoutMs, 1, 3_600_000],
    ['breaker.errorThresholdPercentage', c.breaker.errorThresholdPercentage, 1, 100],
    ['breaker.volumeThreshold', c.breaker.volumeThreshold, 0, 1_000_000],
    ['breaker.resetTimeoutMs', c.breaker.resetTimeoutMs, 1, 3_600_000],
    ['breaker.rollingWindowMs', c.breaker.rollingWindowMs, 10, 3_600_000],
    ['cache.embeddingMaxBytes', c.cache.embeddingMaxBytes, 0, Number.MAX_SAFE_INTEGER],
    ['cache.productHashMaxEntries', c.cache.productHashMaxEntries, 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [field, value, min, max] of ints) {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new EmbeddingConfigError(field, `expected an integer in [${min}, ${max}], got ${value}`);
    }
  }
  if (c.retry.maxDelayMs < c.retry.baseDelayMs) {
    throw new EmbeddingConfigError('retry.maxDelayMs', 'must be ≥ retry.baseDelayMs');
  }
  if (c.provider !== 'local' && c.provider !== 'hash' && c.provider !== 'openai') {
    throw new EmbeddingConfigError(
      'provider',
      `expected 'local', 'hash' or 'openai', got ${String(c.provider)}`,
    );
  }
  // The model id is part of every content hash and written beside every vector: it must name what
  // really produced the vector.
  if (c.provider === 'hash' && c.model !== D.hashModel) {
    throw new EmbeddingConfigError('model', `the hash provider is ${D.hashModel}, not ${c.model}`);
  }
  if (c.provider === 'local') {
    const spec = LOCAL_MODELS[c.model];
    if (!spec) {
      throw new EmbeddingConfigError(
        'model',
        `the local provider runs ${Object.keys(LOCAL_MODELS).join(' or ')}, not ${c.model}`,
      );
    }
    if (c.dimension !== spec.dimension) {
      throw new EmbeddingConfigError('dimension', `${c.model} gives ${spec.dimension}, not ${c.dimension}`);
    }
  }
  if (c.local.input !== 'document' && c.local.input !== 'query') {
    throw new EmbeddingConfigError(
      'local.input',
      `expected 'document' or 'query', got ${String(c.local.input)}`,
    );
  }
  for (const [field, url] of [
    ['openai.baseURL', c.openai.baseURL],
    ['openai.secondary.baseURL', c.openai.secondary?.baseURL],
  ] as const) {
    if (url !== undefined && !URL.canParse(url)) {
      throw new EmbeddingConfigError(field, `not a URL: ${url}`);
    }
  }
}

/** Drops keys whose value is undefined so they do not overwrite defaults when spread. */
function defined<T extends object>(value: T | undefined): Partial<Settled<T>> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<Settled<T>>;
}
