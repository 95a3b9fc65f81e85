/** A row of the products collection (DESIGN §5) as the application sees it. */
export interface ProductRow {
  productId: string;
  vector: Float32Array | number[];
  title: string;
  category: string | null;
  brand: string | null;
  priceMinor: number | null;
  currency: string | null;
  stock: number | null;
  version: number;
  contentHash: string;
  model: string;
  occurredAt: number;
  indexedAt: number;
  /** Input-topic offset of the last event applied (the version guard's redelivery check for tombstones). */
  sourceOffset?: number | null;
}

/** A price and/or stock change of an indexed row; the vector and text fields are not touched. */
export interface PartialProductRow {
  productId: string;
  version: number;
  occurredAt: number;
  indexedAt: number;
  sourceOffset?: number | null;
  priceMinor?: number | null;
  currency?: string | null;
  stock?: number | null;
}

export type MilvusRow = Record<string, string | number | boolean | null | number[]>;

export function toMilvusRow(row: ProductRow): MilvusRow {
  return {
    product_id: row.productId,
    embedding: Array.from(row.vector),
    title: row.title,
    category: row.category,
    brand: row.brand,
    price_minor: row.priceMinor,
    currency: row.currency,
    stock: row.stock,
    in_stock: (row.stock ?? 0) > 0,
    version: row.version,
    content_hash: row.contentHash,
    model: row.model,
    occurred_at: row.occurredAt,
    indexed_at: row.indexedAt,
    source_offset: row.sourceOffset ?? null,
  };
}

export function toMilvusPartial(row: PartialProductRow): MilvusRow {
  const out: MilvusRow = {
    product_id: row.productId,
    version: row.version,
    occurred_at: row.occurredAt,
    indexed_at: row.indexedAt,
  };
  // Absent keeps the stored offset (a partial update leaves fields it does not name).
  if (row.sourceOffset !== undefined && row.sourceOffset !== null) out.source_offset = row.sourceOffset;
  if ('priceMinor' in row) out.price_minor = row.priceMinor ?? null;
  if ('currency' in row) out.currency = row.currency ?? null;
  if ('stock' in row) {
    out.stock = row.stock ?? null;
    out.in_stock = (row.stock ?? 0) > 0;
  }
  return out;
}

/** Int64 fields come back from query/search as strings. */
export function int64(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads a queried row back into a ProductRow (vector only when it was requested). */
export function fromMilvusRow(raw: Record<string, unknown>): ProductRow {
  return {
    productId: String(raw.product_id),
    vector: Array.isArray(raw.embedding) ? Float32Array.from(raw.embedding as number[]) : new Float32Array(0),
    title: String(raw.title ?? ''),
    category: nullableString(raw.category),
    brand: nullableString(raw.brand),
    priceMinor: int64(raw.price_minor),
    currency: nullableString(raw.currency),
    stock: int64(raw.stock),
    version: int64(raw.version) ?? 0,
    contentHash: String(raw.content_hash ?? ''),
    model: String(raw.model ?? ''),
    occurredAt: int64(raw.occurred_at) ?? 0,
    indexedAt: int64(raw.indexed_at) ?? 0,
    sourceOffset: int64(raw.source_offset),
  };
}

/** float32 little-endian bytes (the IndexWrite wire format) → vector. */
export function vectorFromBytes(bytes: Buffer, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export function vectorToBytes(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}
