// Indexes the sample catalog with one provider into a collection of its own (the same text template, rows
// and COSINE index as the pipeline, written directly: no Kafka in between) and runs every query against it.
import { createEmbeddingClient } from '@freshet/embedding';
import {
  createPhysical,
  dropPhysical,
  type MilvusClient,
  type ProductRow,
  searchProducts,
  upsertRows,
} from '@freshet/milvus';
import { contentHash } from '@freshet/schemas';
import { Registry } from '@freshet/telemetry';
import { BENCH_MODEL, textOf } from '../workload.js';
import { type Summary, scoreQuery, summarize } from './metrics.js';
import type { EvalProvider } from './providers.js';
import {
  type CatalogItem,
  ENGLISH_CATEGORIES,
  EVAL_CATEGORIES,
  type EvalCategory,
  type EvalQuery,
} from './queries.js';

export interface QueryResult {
  id: string;
  category: EvalCategory;
  query: string;
  relevant: number;
  recall5: number;
  mrr10: number;
  /** Titles of the top 3 hits, so a reader can see what the model answered. */
  top3: string[];
}

export interface ProviderResult {
  provider: string;
  model: string;
  dimension: number;
  catalog: number;
  /** Embedding the catalog's texts (wall time, batches of EMBED_CHUNK through the client). */
  embedSeconds: number;
  textsPerSecond: number;
  overall: Summary;
  /** The paraphrase, synonym, attribute and typo queries (the issue's ≥ 0.8 target). */
  english: Summary;
  byCategory: Record<EvalCategory, Summary>;
  queries: QueryResult[];
}

const EMBED_CHUNK = 256;
const UPSERT_CHUNK = 500;

export async function evaluateProvider(options: {
  milvus: MilvusClient;
  provider: EvalProvider;
  catalog: readonly CatalogItem[];
  queries: readonly EvalQuery[];
  collection: string;
  log?: (message: string) => void;
}): Promise<ProviderResult> {
  const { milvus, provider, catalog, queries, collection } = options;
  const log = options.log ?? (() => {});
  const embeddings = createEmbeddingClient(provider.documents, { registry: new Registry() });
  const queryEmbeddings = createEmbeddingClient(provider.queries, { registry: new Registry() });
  const { model, dimension } = embeddings;
  try {
    await dropPhysical(milvus, collection).catch(() => {});
    await createPhysical(milvus, collection, dimension, {
      model,
      dimension,
      templateVersion: BENCH_MODEL.templateVersion,
    });
    const spec = { ...BENCH_MODEL, model, dimension };
    const texts = catalog.map((item) => textOf(item.product, spec));
    const started = performance.now();
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += EMBED_CHUNK) {
      vectors.push(...(await embeddings.embedMany(texts.slice(i, i + EMBED_CHUNK))));
      log(`${provider.name}: embedded ${vectors.length}/${texts.length}`);
    }
    const embedSeconds = (performance.now() - started) / 1000;
    const now = Date.now();
    const rows: ProductRow[] = catalog.map((item, i) => ({
      productId: item.productId,
      vector: vectors[i] as Float32Array,
      title: item.product.title,
      category: item.product.category,
      brand: item.product.brand,
      priceMinor: item.product.price?.amountMinor ?? null,
      currency: item.product.price?.currency ?? null,
      stock: item.product.stock,
      version: 1,
      contentHash: contentHash(texts[i] as string, spec),
      model,
      occurredAt: now,
      indexedAt: now,
    }));
    for (let i = 0; i < rows.length; i += UPSERT_CHUNK)
      await upsertRows(milvus, collection, rows.slice(i, i + UPSERT_CHUNK));
    await milvus.flushSync({ collection_names: [collection] });

    const results: QueryResult[] = [];
    for (const q of queries) {
      const vector = await queryEmbeddings.embed(q.query);
      const hits = await searchProducts(milvus, collection, vector, { k: 10, ...q.filters });
      const score = scoreQuery(
        hits.map((h) => h.productId),
        new Set(q.relevant),
      );
      results.push({
        id: q.id,
        category: q.category,
        query: q.query,
        relevant: q.relevant.length,
        ...score,
        top3: hits.slice(0, 3).map((h) => h.title),
      });
    }
    const byCategory = Object.fromEntries(
      EVAL_CATEGORIES.map((c) => [c, summarize(results.filter((r) => r.category === c))]),
    ) as Record<EvalCategory, Summary>;
    return {
      provider: provider.name,
      model,
      dimension,
      catalog: catalog.length,
      embedSeconds,
      textsPerSecond: catalog.length / embedSeconds,
      overall: summarize(results),
      english: summarize(results.filter((r) => ENGLISH_CATEGORIES.includes(r.category))),
      byCategory,
      queries: results,
    };
  } finally {
    await Promise.all([embeddings.close({ graceMs: 1000 }), queryEmbeddings.close({ graceMs: 1000 })]);
    await dropPhysical(milvus, collection).catch(() => {});
  }
}
