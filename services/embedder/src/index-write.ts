import { vectorToBytes } from '@freshet/milvus';
import {
  type EmbedderRequest,
  type IndexWrite,
  indexWriteBase,
  passThroughWrite,
  productScalars,
} from '@freshet/schemas';

export interface ModelInfo {
  model: string;
  dimension: number;
}

/**
 * The writer's operation for a routed event. CREATE/UPDATE become a full UPSERT with the vector of the
 * current text; price and stock changes a PARTIAL carrying only that field; deletes a DELETE. Every event
 * passes through, so per-product order holds end to end (DESIGN §1).
 */
export function toIndexWrite(
  request: EmbedderRequest,
  vector: Float32Array | null,
  model: ModelInfo,
): IndexWrite {
  const passing = passThroughWrite(request);
  if (passing) return passing;
  const product = request.product;
  if (!product || !vector || !request.contentHash) {
    throw new Error(
      `${request.type} ${request.eventId} reached the embedder without product, text hash or vector`,
    );
  }
  return {
    ...indexWriteBase(request),
    ...productScalars(product),
    op: 'UPSERT',
    contentHash: request.contentHash,
    model: model.model,
    dimension: model.dimension,
    vector: vectorToBytes(vector),
  };
}

export function needsVector(request: EmbedderRequest): boolean {
  return request.type === 'CREATE' || request.type === 'UPDATE';
}
