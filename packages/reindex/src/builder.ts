import { type BatchHandler, sourceOffsetOf } from '@freshet/kafka';
import {
  type CollectionTarget,
  collapseByVersion,
  deleteRows,
  fetchIndexedVectors,
  type GuardedWrite,
  groupByProduct,
  type IndexModel,
  loadStates,
  type MilvusClient,
  type ProductRow,
  partialUpdate,
  resolveTarget,
  upsertRowsIsolating,
  upsertTombstones,
} from '@freshet/milvus';
import {
  type AvroCodec,
  contentHash,
  DecodeError,
  type EmbedRequest,
  embeddingText,
  type IndexWrite,
  indexWriteBase,
  passThroughWrite,
  productScalars,
} from '@freshet/schemas';
import type { Logger } from '@freshet/telemetry';

/** What the builder needs of an embedding client (see @freshet/embedding createEmbeddingClient). */
export interface BuilderEmbeddings {
  embedMany(texts: readonly string[]): Promise<Float32Array[]>;
  embeddings: { get(hash: string): Float32Array | undefined; set(hash: string, v: Float32Array): void };
}

export interface BuilderStats {
  records: number;
  undecodable: number;
  embedded: number;
  reused: number;
  upserts: number;
  partials: number;
  deletes: number;
  rejected: number;
}

export interface BuilderDeps {
  codec: AvroCodec;
  milvus: MilvusClient;
  /** The new physical collection and the alias's (shared) tombstones. */
  target: CollectionTarget;
  embeddings: BuilderEmbeddings;
  model: IndexModel;
  /** The pipeline's input topic: the embed-requests' source offsets are positions in it. */
  inputTopic: string;
  /** FRESHET_TEXT_ATTRIBUTES of the router: the attributes the embedding text includes. */
  attributes: readonly string[];
  logger: Logger;
  stats: BuilderStats;
  clock?: () => number;
}

export function emptyStats(): BuilderStats {
  return {
    records: 0,
    undecodable: 0,
    embedded: 0,
    reused: 0,
    upserts: 0,
    partials: 0,
    deletes: 0,
    rejected: 0,
  };
}

/**
 * The green side of a blue/green re-index: consumes `freshet.embed-requests` (every validated event, in
 * per-product order, from the earliest retained offset, so history is the backfill and the tail is the
 * live dual-write), rebuilds each text with the new template and hashes it for the new model, collapses
 * each product's writes by version exactly like the writer (shared version guard and tombstones), embeds
 * only the texts that win, and writes the new collection. Resolves once Milvus acknowledged (then commit).
 */
export function createBuilderHandler(deps: BuilderDeps): BatchHandler {
  const now = deps.clock ?? Date.now;
  const { products } = resolveTarget(deps.target);
  const text = { templateVersion: deps.model.templateVersion, attributes: deps.attributes };
  return async (records) => {
    const writes: GuardedWrite[] = [];
    const texts = new Map<string, string>();
    for (const record of records) {
      deps.stats.records++;
      const request = await decode(deps.codec, record.value);
      if (!request) {
        // The live embedder sends it to the DLQ; the re-index has nothing to add.
        deps.stats.undecodable++;
        continue;
      }
      const write = toWrite(request, deps.model, text);
      if (!write) {
        deps.stats.undecodable++;
        continue;
      }
      writes.push({ ...write, sourceOffset: sourceOffsetOf(record.headers, deps.inputTopic) });
      if (write.op === 'UPSERT' && request.product)
        texts.set(write.contentHash!, embeddingText(request.product, text));
    }
    const groups = groupByProduct(writes);
    if (groups.size === 0) return;
    const states = await loadStates(deps.milvus, deps.target, [...groups.keys()]);
    const plans = [...groups].map(
      ([id, productWrites]) =>
        collapseByVersion(productWrites, states.get(id) ?? { rowVersion: null, tombstoneVersion: null }).plan,
    );

    // Vectors only for the writes that win: a reused vector (same hash in the new collection, or cached)
    // costs nothing, so a restarted build does not pay twice.
    const upserts = plans.flatMap((p) =>
      p.kind === 'upsert' ? [{ ...p.write, sourceOffset: p.sourceOffset }] : [],
    );
    const vectors = new Map<string, Float32Array>();
    const missing = upserts.filter((w) => {
      const cached = deps.embeddings.embeddings.get(w.contentHash!);
      if (cached) vectors.set(w.contentHash!, cached);
      return !cached;
    });
    if (missing.length > 0) {
      // Vectors are fetched only where the indexed hash is the one wanted (see fetchIndexedVectors).
      const wanted = new Map(missing.map((w) => [w.productId, w.contentHash]));
      const indexed = await fetchIndexedVectors(
        deps.milvus,
        products,
        missing.map((w) => w.productId),
        (id, hash) => wanted.get(id) === hash,
      );
      for (const w of missing) {
        const row = indexed.get(w.productId);
        if (row?.vector && row.contentHash === w.contentHash && row.vector.length === deps.model.dimension)
          vectors.set(w.contentHash!, row.vector);
      }
    }
    const toEmbed = [...new Set(upserts.map((w) => w.contentHash!).filter((h) => !vectors.has(h)))];
    if (toEmbed.length > 0) {
      const embedded = await deps.embeddings.embedMany(toEmbed.map((h) => texts.get(h)!));
      toEmbed.forEach((h, i) => {
        vectors.set(h, embedded[i]!);
        deps.embeddings.embeddings.set(h, embedded[i]!);
      });
    }
    deps.stats.embedded += toEmbed.length;
    deps.stats.reused += upserts.length - toEmbed.length;

    const indexedAt = now();
    const rows: ProductRow[] = upserts.map((w) => ({
      productId: w.productId,
      vector: vectors.get(w.contentHash!)!,
      title: w.title ?? '',
      category: w.category,
      brand: w.brand,
      priceMinor: w.priceMinor,
      currency: w.currency,
      stock: w.stock,
      version: w.version,
      contentHash: w.contentHash!,
      model: deps.model.model,
      occurredAt: w.occurredAt,
      indexedAt,
      sourceOffset: w.sourceOffset,
    }));
    const partials = plans.flatMap((p) =>
      p.kind === 'partial'
        ? [
            {
              productId: p.productId,
              version: p.version,
              occurredAt: p.occurredAt,
              indexedAt,
              sourceOffset: p.sourceOffset,
              ...p.fields,
            },
          ]
        : [],
    );
    const deletes = plans.flatMap((p) => (p.kind === 'delete' ? [p] : []));
    const { rejected } = await upsertRowsIsolating(deps.milvus, products, rows);
    await partialUpdate(deps.milvus, products, partials);
    if (deletes.length > 0) {
      await upsertTombstones(
        deps.milvus,
        deps.target,
        deletes
          .filter((d) => d.tombstoneVersion !== null)
          .map((d) => ({ productId: d.productId, version: d.tombstoneVersion!, deletedAt: indexedAt })),
      );
      await deleteRows(
        deps.milvus,
        products,
        deletes.map((d) => d.productId),
      );
    }
    deps.stats.upserts += rows.length - rejected.length;
    deps.stats.partials += partials.length;
    deps.stats.deletes += deletes.length;
    deps.stats.rejected += rejected.length;
    for (const r of rejected)
      deps.logger.error(
        { productId: r.row.productId, code: r.error.code, err: r.error },
        'new collection refused a row; verification will report it',
      );
  };
}

async function decode(codec: AvroCodec, value: Buffer | null): Promise<EmbedRequest | null> {
  if (value === null) return null;
  try {
    return (await codec.decode<EmbedRequest>(value)).value;
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry) return null;
    throw error;
  }
}

/** The write the writer would apply for this event, with the text hashed for the new model (no vector yet). */
export function toWrite(
  request: EmbedRequest,
  model: IndexModel,
  text: { templateVersion: number; attributes: readonly string[] },
): IndexWrite | null {
  const passing = passThroughWrite(request);
  if (passing) return passing;
  const p = request.product;
  if (!p) return null; // the router never forwards a CREATE/UPDATE without its product
  return {
    ...indexWriteBase(request),
    ...productScalars(p),
    op: 'UPSERT',
    contentHash: contentHash(embeddingText(p, text), model),
    model: model.model,
    dimension: model.dimension,
  };
}
