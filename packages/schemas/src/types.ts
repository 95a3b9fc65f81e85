import type { PRODUCT_SCALAR_FIELDS } from './avro.js';

// TypeScript shapes of the .avsc files in ../avro (the single source of truth).
// schema.test.ts proves every type here round-trips through its Avro schema.

export const EVENT_TYPES = ['CREATE', 'UPDATE', 'PRICE_CHANGE', 'STOCK_UPDATE', 'DELETE'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const INDEX_OPS = ['UPSERT', 'PARTIAL', 'DELETE'] as const;
export type IndexOp = (typeof INDEX_OPS)[number];

/** Version of a delete whose version is unknown (a Kafka tombstone on the input topic). */
export const UNKNOWN_VERSION = -1;

export interface Price {
  amountMinor: number;
  currency: string;
}

export interface Product {
  title: string;
  description: string;
  category: string | null;
  brand: string | null;
  tags: string[];
  attributes: Record<string, string>;
  price: Price | null;
  stock: number | null;
  imageUrl: string | null;
}

/** ProductEvent v1; v2 adds `locale`. */
export interface ProductEvent {
  eventId: string;
  type: EventType;
  productId: string;
  version: number;
  occurredAt: number;
  product: Product | null;
  price: Price | null;
  stock: number | null;
  locale?: string | null;
}

export interface EmbedRequest {
  eventId: string;
  type: EventType;
  productId: string;
  version: number;
  occurredAt: number;
  product: Product | null;
  price: Price | null;
  stock: number | null;
  locale: string | null;
  text: string | null;
  contentHash: string | null;
  templateVersion: number;
  routedAt: number;
}

/** The fields of a Product an IndexWrite carries (the embedder's reader schema keeps only these). */
export type ProductScalars = Pick<Product, (typeof PRODUCT_SCALAR_FIELDS)[number]>;

/** An EmbedRequest as the embedder decodes it (avro.ts embedderReadSchema): the product's scalars only. */
export interface EmbedderRequest extends Omit<EmbedRequest, 'product'> {
  product: ProductScalars | null;
}

export interface IndexWrite {
  op: IndexOp;
  eventId: string;
  eventType: EventType;
  productId: string;
  version: number;
  occurredAt: number;
  title: string | null;
  category: string | null;
  brand: string | null;
  priceMinor: number | null;
  currency: string | null;
  stock: number | null;
  contentHash: string | null;
  model: string | null;
  dimension: number;
  /** float32 little-endian */
  vector: Buffer | null;
}
