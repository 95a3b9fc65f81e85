import { LRUCache } from 'lru-cache';

export interface CacheCounters {
  hits: number;
  misses: number;
}

export interface CacheOptions {
  /** Called on every lookup, for the hit/miss metrics. */
  onLookup?: (hit: boolean) => void;
}

// Per-entry bookkeeping besides the vector and key bytes (lru-cache's slots, the typed array header).
const ENTRY_OVERHEAD_BYTES = 160;

/**
 * contentHash → vector. The content hash covers model, dimension, template version and text
 * (DESIGN §3), so a hit is the vector the API would return. Bounded by the bytes of its vectors.
 */
export class EmbeddingCache {
  readonly counters: CacheCounters = { hits: 0, misses: 0 };
  private readonly lru: LRUCache<string, Float32Array> | undefined;

  constructor(
    readonly maxBytes: number,
    private readonly options: CacheOptions = {},
  ) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, Float32Array>({
            maxSize: maxBytes,
            sizeCalculation: (vector, key) => vector.byteLength + key.length * 2 + ENTRY_OVERHEAD_BYTES,
          })
        : undefined;
  }

  get(contentHash: string): Float32Array | undefined {
    const vector = this.lru?.get(contentHash);
    this.count(vector !== undefined);
    return vector;
  }

  set(contentHash: string, vector: Float32Array): void {
    this.lru?.set(contentHash, vector);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** Bytes accounted to the entries held now. */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  private count(hit: boolean): void {
    if (hit) this.counters.hits++;
    else this.counters.misses++;
    this.options.onLookup?.(hit);
  }
}

/**
 * productId → content hash of what is indexed for it, so an UPDATE whose text did not change skips
 * the API without asking Milvus (DESIGN §4.4). Bounded by entries; a miss means "ask Milvus".
 */
export class ProductHashCache {
  readonly counters: CacheCounters = { hits: 0, misses: 0 };
  private readonly lru: LRUCache<string, string> | undefined;

  constructor(
    readonly maxEntries: number,
    private readonly options: CacheOptions = {},
  ) {
    this.lru = maxEntries > 0 ? new LRUCache<string, string>({ max: maxEntries }) : undefined;
  }

  get(productId: string): string | undefined {
    const hash = this.lru?.get(productId);
    this.count(hash !== undefined);
    return hash;
  }

  set(productId: string, contentHash: string): void {
    this.lru?.set(productId, contentHash);
  }

  /** Forget a product (deleted, or its write failed): the next event looks it up again. */
  delete(productId: string): void {
    this.lru?.delete(productId);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  private count(hit: boolean): void {
    if (hit) this.counters.hits++;
    else this.counters.misses++;
    this.options.onLookup?.(hit);
  }
}
