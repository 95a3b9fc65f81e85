import type { EmbedderRequest } from '@freshet/schemas';

export interface IndexedVector {
  contentHash: string;
  /** Present when `wanted` accepted the hash (see VectorSources.lookupIndexed). */
  vector?: Float32Array;
}

/** Where a vector can come from, cheapest first. */
export interface VectorSources {
  /** The bounded content-hash → vector cache. */
  cachedVector(contentHash: string): Float32Array | undefined;
  /** The bounded productId → indexed content-hash cache; undefined when unknown. */
  indexedHash(productId: string): string | undefined;
  /**
   * Milvus: the indexed hash of these products (absent ones are missing from the map), with the vector
   * when `wanted(productId, hash)` says it would be used.
   */
  lookupIndexed(
    productIds: string[],
    wanted: (productId: string, contentHash: string) => boolean,
  ): Promise<Map<string, IndexedVector>>;
  /** The embedding API (micro-batched, rate-limited, behind the breaker); `hashes[i]` is `texts[i]`'s. */
  embed(texts: string[], hashes: string[]): Promise<Float32Array[]>;
}

export interface VectorResolution {
  byHash: Map<string, Float32Array>;
  /** Hash of what Milvus holds per looked-up product, to warm the productId cache. */
  indexedHashes: Map<string, string>;
  cacheHits: number;
  indexedHits: number;
  embedded: number;
}

/**
 * Finds a vector for every CREATE/UPDATE text of a batch, paying the API only for text whose content
 * hash is neither cached nor already indexed for that product (DESIGN §3, §4.4). Identical texts in a
 * batch are embedded once. A Milvus lookup failure degrades to embedding rather than stalling.
 */
export async function resolveVectors(
  requests: readonly EmbedderRequest[],
  sources: VectorSources,
  onLookupError: (error: unknown) => void = () => {},
): Promise<VectorResolution> {
  const byHash = new Map<string, Float32Array>();
  const indexedHashes = new Map<string, string>();
  const textByHash = new Map<string, string>();
  const toLookup = new Map<string, string[]>(); // productId → hashes wanted
  let cacheHits = 0;
  let indexedHits = 0;

  for (const r of requests) {
    if (!r.contentHash || r.text === null) continue;
    if (byHash.has(r.contentHash)) continue;
    const cached = sources.cachedVector(r.contentHash);
    if (cached) {
      byHash.set(r.contentHash, cached);
      cacheHits++;
      continue;
    }
    textByHash.set(r.contentHash, r.text);
    const known = sources.indexedHash(r.productId);
    // Only ask Milvus when its answer can help: unknown product, or one whose indexed text is this one.
    if (known === undefined || known === r.contentHash) {
      toLookup.set(r.productId, [...(toLookup.get(r.productId) ?? []), r.contentHash]);
    }
  }

  if (toLookup.size > 0) {
    try {
      const indexed = await sources.lookupIndexed(
        [...toLookup.keys()],
        (productId, hash) => toLookup.get(productId)?.includes(hash) ?? false,
      );
      for (const [productId, hit] of indexed) {
        indexedHashes.set(productId, hit.contentHash);
        if (
          hit.vector &&
          toLookup.get(productId)?.includes(hit.contentHash) &&
          !byHash.has(hit.contentHash)
        ) {
          byHash.set(hit.contentHash, hit.vector);
          textByHash.delete(hit.contentHash);
          indexedHits++;
        }
      }
    } catch (error) {
      onLookupError(error);
    }
  }

  const missing = [...textByHash].filter(([hash]) => !byHash.has(hash));
  if (missing.length > 0) {
    const vectors = await sources.embed(
      missing.map(([, text]) => text),
      missing.map(([hash]) => hash),
    );
    missing.forEach(([hash], i) => {
      const v = vectors[i];
      if (!v) throw new Error(`embedding API returned ${vectors.length} vectors for ${missing.length} texts`);
      byHash.set(hash, v);
    });
  }
  return { byHash, indexedHashes, cacheHits, indexedHits, embedded: missing.length };
}
