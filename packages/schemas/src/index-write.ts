import type { EmbedRequest, IndexWrite } from './types.js';

/**
 * The IndexWrite of a routed event with every optional part empty: the identity and ordering fields the
 * writer's version guard needs. The embedder and the re-index builder fill in the operation and the rest.
 */
export function indexWriteBase(request: EmbedRequest): Omit<IndexWrite, 'op'> {
  return {
    eventId: request.eventId,
    eventType: request.type,
    productId: request.productId,
    version: request.version,
    occurredAt: request.occurredAt,
    title: null,
    category: null,
    brand: null,
    priceMinor: null,
    currency: null,
    stock: null,
    contentHash: null,
    model: null,
    dimension: 0,
    vector: null,
  };
}
