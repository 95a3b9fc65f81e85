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

// A vector stays a Float32Array: the SDK (patched, patches/@zilliz__milvus2-sdk-node) writes such rows to the
// wire as their bytes, where a number array would be copied twice more on its way into protobufjs.
export type MilvusRow = Record<string, string | number | boolean | null | Float32Array>;

export function toMilvusRow(row: ProductRow): MilvusRow {
  return {
    product_id: row.productId,
    embedding: row.vector instanceof Float32Array ? row.vector : Float32Array.from(row.vector),
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

// float32 little-endian is the wire format; on a little-endian host (every platform Node ships for but
// s390x) it is the memory layout too, and a vector is one byte copy instead of a call per float.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** float32 little-endian bytes (the IndexWrite wire format) → vector. */
export function vectorFromBytes(bytes: Uint8Array, dimension: number): Float32Array {
  if (bytes.length < dimension * 4)
    throw new RangeError(`${bytes.length} bytes hold no ${dimension}-dimension float32 vector`);
  const out = new Float32Array(dimension);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, dimension * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, dimension * 4);
    for (let i = 0; i < dimension; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

export function vectorToBytes(vector: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(vector.length * 4);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  else for (let i = 0; i < vector.length; i++) out.writeFloatLE(vector[i]!, i * 4);
  return out;
}
