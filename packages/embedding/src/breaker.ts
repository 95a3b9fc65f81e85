import CircuitBreaker from 'opossum';
import {
  BreakerOpenError,
  EmbeddingAbortedError,
  EmbeddingApiError,
  EmbeddingError,
  isEmbeddingError,
} from './errors.js';
import type { EmbeddingProvider } from './provider.js';
import type { BreakerState } from './types.js';

export interface BreakerOptions {
  /** One call's timeout in ms; a timed-out call counts as a failure and its request is aborted. */
  timeoutMs: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
  name?: string;
}

type Listener = () => void;

/**
 * An opossum circuit breaker around the provider. Only outage-type failures (`canRetry`) count:
 * a rejected request or a wrong dimension says nothing about the API's health, so opossum's
 * `errorFilter` records it as a success and it can never open the breaker.
 */
export class EmbeddingBreaker {
  private readonly breaker: CircuitBreaker<[string[], AbortSignal], Float32Array[]>;
  private readonly listeners: Record<BreakerState, Set<Listener>> = {
    closed: new Set(),
    open: new Set(),
    halfOpen: new Set(),
  };

  constructor(
    readonly provider: EmbeddingProvider,
    options: BreakerOptions,
  ) {
    this.breaker = new CircuitBreaker(
      (texts: string[], signal: AbortSignal) => provider.embed(texts, signal),
      {
        name: options.name ?? `embedding:${provider.model}`,
        timeout: options.timeoutMs,
        errorThresholdPercentage: options.errorThresholdPercentage,
        volumeThreshold: options.volumeThreshold,
        resetTimeout: options.resetTimeoutMs,
        rollingCountTimeout: options.rollingWindowMs,
        rollingCountBuckets: 10,
        errorFilter: (error: unknown) =>
          isEmbeddingError(error) && (!error.canRetry || error instanceof EmbeddingAbortedError),
      },
    );
    this.breaker.on('open', () => this.emit('open'));
    this.breaker.on('halfOpen', () => this.emit('halfOpen'));
    this.breaker.on('close', () => this.emit('closed'));
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'halfOpen';
    return 'closed';
  }

  /** Calls the provider through the breaker; rejects with BreakerOpenError at once while open. */
  async call(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    // One controller per call: opossum's own abortController is shared by all calls, and a timeout
    // must abort only the request that timed out.
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    try {
      return await this.breaker.fire(texts, controller.signal);
    } catch (error) {
      controller.abort(); // after an opossum timeout the request is still running: stop it
      throw this.translate(error);
    } finally {
      signal?.removeEventListener('abort', forward);
    }
  }

  onOpen(listener: Listener): () => void {
    return this.subscribe('open', listener);
  }

  onHalfOpen(listener: Listener): () => void {
    return this.subscribe('halfOpen', listener);
  }

  onClose(listener: Listener): () => void {
    return this.subscribe('closed', listener);
  }

  /** Stops opossum's timers; later calls fail with EmbeddingAbortedError. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  private subscribe(state: BreakerState, listener: Listener): () => void {
    this.listeners[state].add(listener);
    return () => this.listeners[state].delete(listener);
  }

  private emit(state: BreakerState): void {
    for (const listener of this.listeners[state]) listener();
  }

  private translate(error: unknown): unknown {
    if (error instanceof EmbeddingError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EOPENBREAKER') return new BreakerOpenError({ cause: error });
    if (code === 'ETIMEDOUT') {
      return new EmbeddingApiError(
        'FRESHET_EMBEDDING_TIMEOUT',
        `embedding call timed out (${this.provider.model})`,
        true,
        {
          cause: error,
        },
      );
    }
    if (code === 'ESHUTDOWN') return new EmbeddingAbortedError('embedding client closed', { cause: error });
    return error;
  }
}
