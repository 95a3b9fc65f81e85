import { ConfigError, type RouterConfig } from '@freshet/config';
import { type Message, positionHeaders, type StageRecord } from '@freshet/kafka';
import {
  type AvroCodec,
  contentHash,
  type EmbedRequest,
  embeddingText,
  type ProductEvent,
  TEMPLATE_VERSIONS,
} from '@freshet/schemas';
import { startRecordSpan } from '@freshet/telemetry';

export interface RouteOptions {
  /** Topic of the EmbedRequests; their schema is registered under `<embedTopic>-value`. */
  embedTopic: string;
  model: string;
  dimension: number;
  templateVersion: number;
  /** FRESHET_TEXT_ATTRIBUTES */
  attributes: readonly string[];
}

/** The route options of a config; an unknown template version stops the start like any bad variable. */
export function routeOptions(config: RouterConfig): RouteOptions {
  const templateVersion = config.embedding.templateVersion;
  if (!TEMPLATE_VERSIONS.includes(templateVersion)) {
    throw new ConfigError([
      {
        variable: 'FRESHET_TEMPLATE_VERSION',
        problem: `unknown embedding-text template version ${templateVersion} (known: ${TEMPLATE_VERSIONS.join(', ')})`,
      },
    ]);
  }
  return {
    embedTopic: config.topics.embed,
    model: config.embedding.model,
    dimension: config.embedding.dimension,
    templateVersion,
    attributes: config.router.textAttributes,
  };
}

/**
 * The validated event plus, for CREATE and UPDATE, its embedding text and content hash. Price, stock
 * and delete events carry no text: the embedder passes them through without an API call (DESIGN §4.4).
 */
export function toEmbedRequest(event: ProductEvent, options: RouteOptions, routedAt: number): EmbedRequest {
  const product = event.type === 'CREATE' || event.type === 'UPDATE' ? event.product : null;
  const text = product === null ? null : embeddingText(product, options);
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

/**
 * The Kafka message for the embedder: keyed by productId (same partition number downstream, DESIGN §1),
 * Avro under `<embedTopic>-value`, with this hop's `traceparent` and the source position in headers.
 */
export async function embedMessage(
  codec: AvroCodec,
  request: EmbedRequest,
  source: StageRecord,
  options: RouteOptions,
): Promise<Message> {
  const span = startRecordSpan('router', 'router.route', source.headers, {
    'freshet.product_id': request.productId,
    'freshet.event_type': request.type,
    'freshet.version': request.version,
  });
  try {
    const value = await codec.encode(options.embedTopic, request);
    span.end();
    return {
      key: request.productId,
      value,
      // Its own position even for a DLQ replay that still carries an older record's source headers: the
      // writer orders a product's tombstones by these offsets, which must follow the input topic's order.
      headers: { ...span.outgoing, ...positionHeaders(source) },
    };
  } catch (error) {
    span.end(error);
    throw error;
  }
}
