import type { EmbedderRequest, IndexWrite, ProductScalars } from './types.js';

/**
 * The IndexWrite of a routed event with every optional part empty: the identity and ordering fields the
 * writer's version guard needs. The embedder and the re-index builder fill in the operation and the rest.
 */
export function indexWriteBase(request: EmbedderRequest): Omit<IndexWrite, 'op'> {
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

/** The scalar fields of a full row, from the event's product state. */
export function productScalars(
  product: ProductScalars,
): Pick<IndexWrite, 'title' | 'category' | 'brand' | 'priceMinor' | 'currency' | 'stock'> {
  return {
    title: product.title,
    category: product.category,
    brand: product.brand,
    priceMinor: product.price?.amountMinor ?? null,
    currency: product.price?.currency ?? null,
    stock: product.stock,
  };
}

/**
 * The IndexWrite of an event that needs no vector: a PARTIAL carrying only the price or only the stock, or a
 * DELETE. Null for CREATE/UPDATE, whose full row the caller builds.
 */
export function passThroughWrite(request: EmbedderRequest): IndexWrite | null {
  const base = indexWriteBase(request);
  switch (request.type) {
    case 'PRICE_CHANGE':
      return {
        ...base,
        op: 'PARTIAL',
        priceMinor: request.price?.amountMinor ?? null,
        currency: request.price?.currency ?? null,
      };
    case 'STOCK_UPDATE':
      return { ...base, op: 'PARTIAL', stock: request.stock };
    case 'DELETE':
      return { ...base, op: 'DELETE' };
    default:
      return null;
  }
}
