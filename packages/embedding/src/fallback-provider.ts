import type { EmbeddingProvider } from './provider.js';
import { isRetryable } from './retry.js';

export interface FallbackProviderOptions {
  /** After a retryable failure of the primary, the secondary is tried first for this long (ms). */
  cooldownMs: number;
  now?: () => number;
  /** Called when a call moves from one endpoint to the other, with the failure that moved it. */
  onFallback?: (event: { from: EmbeddingProvider; to: EmbeddingProvider; error: unknown }) => void;
}

/**
 * A primary and a secondary endpoint serving the same model. A retryable failure of one is followed
 * at once by the other within the same call, and the primary is skipped for `cooldownMs` so an outage
 * costs one failed request, not one per call. The breaker wraps this pair: it opens only when
 * neither endpoint answers, which is when the embedder must pause.
 */
export class FallbackEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimension: number;
  private primaryDownUntil = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    readonly primary: EmbeddingProvider,
    readonly secondary: EmbeddingProvider,
    private readonly options: FallbackProviderOptions,
  ) {
    if (primary.model !== secondary.model || primary.dimension !== secondary.dimension) {
      throw new RangeError(
        `secondary endpoint must serve the primary's model: ${secondary.model}/${secondary.dimension} vs ${primary.model}/${primary.dimension}`,
      );
    }
    this.model = primary.model;
    this.dimension = primary.dimension;
    this.now = options.now ?? Date.now;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const primaryFirst = this.now() >= this.primaryDownUntil;
    const [first, second] = primaryFirst ? [this.primary, this.secondary] : [this.secondary, this.primary];
    try {
      const vectors = await first.embed(texts, signal);
      if (first === this.primary) this.primaryDownUntil = Number.NEGATIVE_INFINITY;
      return vectors;
    } catch (error) {
      if (!isRetryable(error) || signal?.aborted) throw error;
      if (first === this.primary) this.primaryDownUntil = this.now() + this.options.cooldownMs;
      this.options.onFallback?.({ from: first, to: second, error });
      const vectors = await second.embed(texts, signal);
      if (second === this.primary) this.primaryDownUntil = Number.NEGATIVE_INFINITY;
      return vectors;
    }
  }
}
