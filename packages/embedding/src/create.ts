import type { Registry } from 'prom-client';
import { EmbeddingBatcher } from './batcher.js';
import { EmbeddingBreaker } from './breaker.js';
import { EmbeddingCache, ProductHashCache } from './cache.js';
import { resolveEmbeddingConfig } from './config.js';
import { createBatchSender } from './embedding-request.js';
import { EmbeddingAbortedError } from './errors.js';
import { FallbackEmbeddingProvider } from './fallback-provider.js';
import { HashEmbeddingProvider } from './hash-provider.js';
import { LOCAL_MODELS } from './local-models.js';
import { LocalEmbeddingProvider, type LocalProviderOptions } from './local-provider.js';
import {
  BREAKER_STATE_LABEL,
  BREAKER_STATE_VALUE,
  createEmbeddingMetrics,
  type EmbeddingMetrics,
} from './metrics.js';
import { OpenAIEmbeddingProvider } from './openai-provider.js';
import type { EmbeddingProvider } from './provider.js';
import { type Clock, RateLimiter } from './rate-limit.js';
import { countTokens, type Truncation, truncateToBound, truncateToTokens } from './tokenizer.js';
import type {
  BreakerState,
  EmbeddingConfig,
  EmbeddingLogger,
  ProviderKind,
  ResolvedEmbeddingConfig,
} from './types.js';

export interface EmbeddingClientDeps {
  /** Metrics are registered here (the service's registry, served on /metrics). */
  registry: Registry;
  logger?: EmbeddingLogger;
  /** Replaces the provider chosen by the config (bench, tests). */
  provider?: EmbeddingProvider;
  /** Time source of the rate limiter. */
  clock?: Clock;
}

/** The breaker as the embedder sees it: pause the partitions on open, resume on close. */
export interface BreakerHandle {
  state(): BreakerState;
  onOpen(listener: () => void): () => void;
  onHalfOpen(listener: () => void): () => void;
  onClose(listener: () => void): () => void;
}

export interface EmbeddingClient {
  readonly provider: ProviderKind | 'custom';
  readonly model: string;
  readonly dimension: number;
  readonly config: ResolvedEmbeddingConfig;
  /** Queues `text` into the next batch; truncated at the model's input limit first. */
  embed(text: string): Promise<Float32Array>;
  /** Vectors in the order of `texts`. */
  embedMany(texts: readonly string[]): Promise<Float32Array[]>;
  /** `embed` behind the content-hash cache: a hit costs no API call, a miss fills the cache. */
  embedCached(contentHash: string, text: string): Promise<Float32Array>;
  /** contentHash → vector. */
  readonly embeddings: EmbeddingCache;
  /** productId → content hash indexed for it. */
  readonly productHashes: ProductHashCache;
  readonly breaker: BreakerHandle;
  readonly metrics: EmbeddingMetrics;
  countTokens(text: string): number;
  /**
   * Resolves when the provider can embed (the local model is loaded in every worker); rejects with
   * FRESHET_EMBEDDING_MODEL_MISSING if it cannot be. Immediate for the other providers.
   */
  ready(): Promise<void>;
  /** Sends what is queued without waiting for the linger; resolves when it has settled. */
  flush(): Promise<void>;
  /**
   * Refuses new texts, lets queued and in-flight batches finish (for at most `graceMs`, default
   * unbounded), then aborts what is left and stops the breaker's timers.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Composes provider, breaker, retry, rate limits, batcher, caches and metrics from one config. */
export function createEmbeddingClient(config: EmbeddingConfig, deps: EmbeddingClientDeps): EmbeddingClient {
  const resolved = resolveEmbeddingConfig(config);
  const { logger } = deps;
  const metrics = createEmbeddingMetrics(deps.registry);
  const shutdown = new AbortController();

  const owned = deps.provider
    ? undefined
    : createProvider(resolved, logger, {
        onTruncated: (count) => {
          metrics.truncated.inc(count);
          // Debug only: most catalog texts exceed MiniLM's 64 tokens; the metric counts them.
          logger?.debug(
            { inputs: count, model: resolved.model },
            'embedding text truncated at the model limit',
          );
        },
        onTokens: (count) => metrics.tokens.inc(count),
      });
  const provider = deps.provider ?? owned!;
  if (provider.dimension !== resolved.dimension) {
    throw new RangeError(
      `provider dimension ${provider.dimension} differs from config ${resolved.dimension}`,
    );
  }

  const breaker = new EmbeddingBreaker(provider, resolved.breaker);
  const transition = (state: BreakerState) => () => {
    metrics.breakerState.set(BREAKER_STATE_VALUE[state]);
    metrics.breakerTransitions.inc({ to: BREAKER_STATE_LABEL[state] });
    const log = { breaker: BREAKER_STATE_LABEL[state], model: provider.model };
    if (state === 'open') logger?.warn(log, 'embedding API breaker opened: failing fast');
    else logger?.info(log, `embedding API breaker ${BREAKER_STATE_LABEL[state]}`);
  };
  breaker.onOpen(transition('open'));
  breaker.onHalfOpen(transition('halfOpen'));
  breaker.onClose(transition('closed'));

  const limiter = new RateLimiter({
    requestsPerMinute: resolved.rateLimit.requestsPerMinute,
    tokensPerMinute: resolved.rateLimit.tokensPerMinute,
    ...(deps.clock ? { clock: deps.clock } : {}),
    onThrottled: (ms) => metrics.throttledSeconds.inc(ms / 1000),
  });

  const batcher = new EmbeddingBatcher({
    ...resolved.batch,
    ...(owned ? { truncate: truncationFor(resolved) } : {}),
    send: createBatchSender({
      breaker,
      limiter,
      retry: resolved.retry,
      metrics,
      logger,
      signal: shutdown.signal,
      // Our own providers report what they used (the API's billed tokens, the tokens the model read).
      countTokens: owned === undefined,
    }),
    onTruncated: (event) => {
      metrics.truncated.inc();
      logger?.warn({ ...event, maxInputTokens: resolved.batch.maxInputTokens }, 'embedding text truncated');
    },
  });

  const embeddings = new EmbeddingCache(resolved.cache.embeddingMaxBytes, {
    onLookup: (hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ cache: 'embedding' }),
  });
  const productHashes = new ProductHashCache(resolved.cache.productHashMaxEntries, {
    onLookup: (hit) => (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ cache: 'product_hash' }),
  });

  return {
    provider: deps.provider ? 'custom' : resolved.provider,
    model: provider.model,
    dimension: provider.dimension,
    config: resolved,
    embed: (text) => batcher.embed(text),
    embedMany: (texts) => batcher.embedMany(texts),
    async embedCached(contentHash, text) {
      const hit = embeddings.get(contentHash);
      if (hit) return hit;
      const vector = await batcher.embed(text);
      embeddings.set(contentHash, vector);
      return vector;
    },
    embeddings,
    productHashes,
    breaker: {
      state: () => breaker.state(),
      onOpen: (listener) => breaker.onOpen(listener),
      onHalfOpen: (listener) => breaker.onHalfOpen(listener),
      onClose: (listener) => breaker.onClose(listener),
    },
    metrics,
    countTokens,
    ready: () => (owned instanceof LocalEmbeddingProvider ? owned.ready() : Promise.resolve()),
    flush: () => batcher.flush(),
    async close(options = {}) {
      const drained = batcher.close();
      if (options.graceMs === undefined) {
        await drained;
      } else {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.graceMs);
        });
        await Promise.race([drained, late]);
        clearTimeout(timer);
      }
      shutdown.abort(new EmbeddingAbortedError('embedding client closed'));
      await drained;
      breaker.shutdown();
      if (owned instanceof LocalEmbeddingProvider) await owned.close();
    },
  };
}

/**
 * How the batcher measures and cuts a text before it is queued. An API gets cl100k: exact counts where a
 * TPM budget spends them, else the bound (truncateToBound), which tokenizes only a text near the input
 * limit; the metric takes the tokens the API billed. The local model reads its own tokens and cuts at its
 * own limit (its provider reports both), and hashing has none: neither loads the encoding nor spends CPU
 * on it.
 */
function truncationFor(c: ResolvedEmbeddingConfig): (text: string, maxTokens: number) => Truncation {
  if (c.provider !== 'openai') return (text) => ({ text, tokens: 0, truncated: false });
  return c.rateLimit.tokensPerMinute > 0 ? truncateToTokens : truncateToBound;
}

function createProvider(
  c: ResolvedEmbeddingConfig,
  logger: EmbeddingLogger | undefined,
  usage: Pick<LocalProviderOptions, 'onTruncated' | 'onTokens'>,
): EmbeddingProvider {
  if (c.provider === 'hash') return new HashEmbeddingProvider({ dimension: c.dimension });
  if (c.provider === 'local') {
    return new LocalEmbeddingProvider({ model: LOCAL_MODELS[c.model]!, ...c.local, ...usage });
  }
  const endpoint = (baseURL: string, apiKey: string | undefined) =>
    new OpenAIEmbeddingProvider({
      model: c.model,
      dimension: c.dimension,
      baseURL,
      apiKey,
      organization: c.openai.organization,
      project: c.openai.project,
      timeoutMs: c.openai.timeoutMs,
      sendDimensions: c.openai.sendDimensions,
      encodingFormat: c.openai.encodingFormat,
      ...(usage.onTokens ? { onTokens: usage.onTokens } : {}),
    });
  const primary = endpoint(c.openai.baseURL, c.openai.apiKey);
  if (!c.openai.secondary) return primary;
  const secondary = endpoint(c.openai.secondary.baseURL, c.openai.secondary.apiKey);
  return new FallbackEmbeddingProvider(primary, secondary, {
    cooldownMs: c.openai.primaryCooldownMs,
    onFallback: ({ from, to, error }) => {
      const url = (p: EmbeddingProvider) => (p === primary ? primary.baseURL : secondary.baseURL);
      logger?.warn(
        { from: url(from), to: url(to), err: error },
        'embedding endpoint failed, using the other one',
      );
    },
  });
}
