import { contentHash, type EmbedRequest, embeddingText, type ProductEvent } from '@freshet/schemas';

export interface RouteOptions {
  model: string;
  dimension: number;
  templateVersion: number;
  attributes: readonly string[];
}

/** The validated event plus, for CREATE/UPDATE, its embedding text and content hash (DESIGN §2). */
export function toEmbedRequest(event: ProductEvent, options: RouteOptions, routedAt: number): EmbedRequest {
  const hasText = (event.type === 'CREATE' || event.type === 'UPDATE') && event.product !== null;
  const text = hasText
    ? embeddingText(event.product!, {
        templateVersion: options.templateVersion,
        attributes: options.attributes,
      })
    : null;
  return {
    eventId: event.eventId,
    type: event.type,
    productId: event.productId,
    version: event.version,
    occurredAt: event.occurredAt,
    product: event.product,
    price: event.price,
    stock: event.stock,
    locale: event.locale ?? null,
    text,
    contentHash: text === null ? null : contentHash(text, options),
    templateVersion: options.templateVersion,
    routedAt,
  };
}
