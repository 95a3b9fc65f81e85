import { type EmbedRequest, type IndexWrite, indexWriteBase } from '@freshet/schemas';

export interface ModelInfo {
  model: string;
  dimension: number;
}

/** float32 little-endian, the IndexWrite wire format of a vector. */
export function vectorBytes(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}

/**
 * The writer's operation for a routed event. CREATE/UPDATE become a full UPSERT with the vector of the
 * current text; price and stock changes a PARTIAL carrying only that field; deletes a DELETE. Every event
 * passes through, so per-product order holds end to end (DESIGN §1).
 */
export function toIndexWrite(
  request: EmbedRequest,
  vector: Float32Array | null,
  model: ModelInfo,
): IndexWrite {
  const base = indexWriteBase(request);
  switch (request.type) {
    case 'CREATE':
    case 'UPDATE': {
      const product = request.product;
      if (!product || !vector || !request.contentHash) {
        throw new Error(
          `${request.type} ${request.eventId} reached the embedder without product, text hash or vector`,
        );
      }
      return {
        ...base,
        op: 'UPSERT',
        title: product.title,
        category: product.category,
        brand: product.brand,
        priceMinor: product.price?.amountMinor ?? null,
        currency: product.price?.currency ?? null,
        stock: product.stock,
        contentHash: request.contentHash,
        model: model.model,
        dimension: model.dimension,
        vector: vectorBytes(vector),
      };
    }
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
  }
}

export function needsVector(request: EmbedRequest): boolean {
  return request.type === 'CREATE' || request.type === 'UPDATE';
}
