import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { describeAlias, type IndexModel } from './collection.js';
import { call, MilvusRejectedError } from './errors.js';
import { PRODUCT_OUTPUT_FIELDS } from './layout.js';
import { int64, nullableString } from './rows.js';
import { withLoaded } from './store.js';

export interface SearchFilters {
  maxPriceMinor?: number;
  minPriceMinor?: number;
  inStock?: boolean;
  category?: string;
  brand?: string;
}

export interface SearchHit {
  productId: string;
  score: number;
  title: string;
  category: string | null;
  brand: string | null;
  priceMinor: number | null;
  currency: string | null;
  stock: number | null;
  inStock: boolean;
  version: number;
}

/** A Milvus boolean expression for the filters; strings are JSON-quoted so quotes cannot break out. */
export function filterExpression(filters: SearchFilters): string {
  const parts: string[] = [];
  if (filters.maxPriceMinor !== undefined) parts.push(`price_minor <= ${Math.trunc(filters.maxPriceMinor)}`);
  if (filters.minPriceMinor !== undefined) parts.push(`price_minor >= ${Math.trunc(filters.minPriceMinor)}`);
  if (filters.inStock) parts.push('in_stock == true');
  if (filters.category !== undefined) parts.push(`category == ${JSON.stringify(filters.category)}`);
  if (filters.brand !== undefined) parts.push(`brand == ${JSON.stringify(filters.brand)}`);
  return parts.join(' and ');
}

export async function searchProducts(
  client: MilvusClient,
  alias: string,
  vector: Float32Array | number[],
  options: SearchFilters & { k?: number } = {},
): Promise<SearchHit[]> {
  const filter = filterExpression(options);
  const result = await withLoaded(client, alias, () =>
    call('search', () =>
      client.search({
        collection_name: alias,
        data: [Array.from(vector)],
        limit: options.k ?? 10,
        ...(filter ? { filter } : {}),
        output_fields: [...PRODUCT_OUTPUT_FIELDS],
        params: { metric_type: 'COSINE' },
      }),
    ),
  );
  return (result.results as Array<Record<string, unknown>>).map((r) => ({
    productId: String(r.product_id ?? r.id),
    score: Number(r.score),
    title: String(r.title ?? ''),
    category: nullableString(r.category),
    brand: nullableString(r.brand),
    priceMinor: int64(r.price_minor),
    currency: nullableString(r.currency),
    stock: int64(r.stock),
    inStock: r.in_stock === true,
    version: int64(r.version) ?? 0,
  }));
}

/**
 * A search that stays consistent while the alias moves (blue/green re-index): resolves the alias to its
 * physical collection and the model its vectors were made with, embeds the query for that model, and
 * searches that physical collection. A swap in between cannot pair a query vector with a collection of
 * another dimension, and the old collection answers until it is dropped (then the next call re-resolves).
 */
export async function searchThroughAlias(
  client: MilvusClient,
  alias: string,
  embedQuery: (target: {
    physical: string;
    dimension: number;
    model: IndexModel | null;
  }) => Promise<Float32Array | number[]>,
  options: SearchFilters & { k?: number } = {},
): Promise<{ physical: string; model: IndexModel | null; hits: SearchHit[] }> {
  const target = await describeAlias(client, alias);
  if (!target) throw new MilvusRejectedError(`alias ${alias} does not exist`);
  const vector = await embedQuery(target);
  const hits = await searchProducts(client, target.physical, vector, options);
  return { physical: target.physical, model: target.model, hits };
}
