/**
 * Anything that turns texts into vectors: the OpenAI-compatible HTTP API, the offline local
 * provider, or a fallback pair. Vectors come back in input order, one per input, `dimension` long.
 */
export interface EmbeddingProvider {
  /** Model id written beside every vector (DESIGN §5 `model`). */
  readonly model: string;
  readonly dimension: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
