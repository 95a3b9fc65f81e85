import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EMBEDDING_DEFAULTS, LOCAL_MODELS } from '@freshet/embedding';
import type { ProductRow } from '@freshet/milvus';
import { contentHash, embeddingText, type Product, type ProductEvent } from '@freshet/schemas';
import { catalogProduct, fakeEmbedding, generateEvents, productId } from '@freshet/testkit';

/** The embedding model the services are configured with in the bench (what the fake server is asked). */
export interface ModelSpec {
  model: string;
  dimension: number;
  templateVersion: number;
  /** FRESHET_TEXT_ATTRIBUTES (the router's default). */
  attributes: readonly string[];
}

export const BENCH_MODEL: ModelSpec = {
  model: 'text-embedding-3-small',
  dimension: 384,
  templateVersion: 2,
  attributes: ['color', 'material', 'size', 'model', 'gender', 'style'],
};

/**
 * What the services embed with when no API is configured (the `local` provider's default model, DESIGN §3):
 * the memory segment that measures what a user without a key gets.
 */
export const LOCAL_DEFAULT_MODEL: ModelSpec = {
  ...BENCH_MODEL,
  model: EMBEDDING_DEFAULTS.localModel,
  dimension: LOCAL_MODELS[EMBEDDING_DEFAULTS.localModel]!.dimension,
};

/**
 * The embedding-text template a checkout's services run in the bench: the bench's own when that checkout
 * knows it, else the newest it knows (an earlier commit drained as the CPU reference may predate template 2;
 * its rows are then checked against the oracle of its own template).
 */
export async function templateVersionOf(root: string | undefined): Promise<number> {
  if (root === undefined) return BENCH_MODEL.templateVersion;
  const schemas = (await import(pathToFileURL(join(root, 'packages/schemas/dist/index.js')).href)) as {
    TEMPLATE_VERSIONS?: readonly number[];
  };
  const known = schemas.TEMPLATE_VERSIONS ?? [1];
  return known.includes(BENCH_MODEL.templateVersion) ? BENCH_MODEL.templateVersion : Math.max(...known);
}

export function textOf(product: Product, spec: ModelSpec): string {
  return embeddingText(product, { templateVersion: spec.templateVersion, attributes: spec.attributes });
}

/**
 * The indexed row of catalog product `index` at version 1, exactly as the writer would have written it
 * after the embedder asked the fake API: same text, content hash, model and vector.
 */
export function catalogRow(seed: number, index: number, spec: ModelSpec, now: number): ProductRow {
  const product = catalogProduct(seed, index);
  const text = textOf(product, spec);
  return {
    productId: productId(index),
    vector: fakeEmbedding(text, spec.dimension, spec.model),
    title: product.title,
    category: product.category,
    brand: product.brand,
    priceMinor: product.price?.amountMinor ?? null,
    currency: product.price?.currency ?? null,
    stock: product.stock,
    version: 1,
    contentHash: contentHash(text, spec),
    model: spec.model,
    occurredAt: now,
    indexedAt: now,
  };
}

export interface Segments {
  /** Stage-alone runs (router → embedder → writer, each timed alone). */
  stages: ProductEvent[];
  /** The whole pipeline at full speed. */
  pipeline: ProductEvent[];
  /** The steady-rate freshness run (occurredAt is set again when produced). */
  freshness: ProductEvent[];
  /** After it, the stream the price/stock-only freshness run takes its price and stock changes from. */
  priceStock: ProductEvent[];
}

/**
 * One realistic stream (DESIGN §8 mix, Zipf ids) over the warm catalog, cut into consecutive segments so
 * versions keep rising from one run to the next over the same collection.
 */
export function generateSegments(
  seed: number,
  catalogSize: number,
  sizes: { stages: number; pipeline: number; freshness: number; priceStock: number },
): Segments {
  const items = generateEvents({
    seed,
    catalogSize,
    count: sizes.stages + sizes.pipeline + sizes.freshness + sizes.priceStock,
    now: Date.now(),
  });
  const events = items.map((item) => {
    if (item.kind !== 'event') throw new Error(`unexpected ${item.kind} in a stream without faults`);
    return item.event;
  });
  return {
    stages: events.slice(0, sizes.stages),
    pipeline: events.slice(sizes.stages, sizes.stages + sizes.pipeline),
    freshness: events.slice(sizes.stages + sizes.pipeline, sizes.stages + sizes.pipeline + sizes.freshness),
    priceStock: events.slice(sizes.stages + sizes.pipeline + sizes.freshness),
  };
}

/** What one event asks of an embedding API: the naive pipeline's text and the genuinely new text. */
export interface EventTexts {
  /** The text a naive pipeline embeds for this event (the product's whole text), null for a delete. */
  naive: string | null;
  /** The text if no vector exists for it yet anywhere (never indexed, never embedded), else null. */
  fresh: string | null;
}

/**
 * The source's view of every product (catalog state + events so far) and of every text ever embedded,
 * to compute what a naive pipeline pays and the least any pipeline must pay.
 */
export class ProductFold {
  private readonly products = new Map<string, Product | undefined>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly spec: ModelSpec,
    private readonly catalog: (id: string) => Product | undefined,
  ) {}

  /** A catalog-backed fold: catalog products p-000000 … p-(size−1) at version 1, already indexed. */
  static overCatalog(seed: number, size: number, spec: ModelSpec): ProductFold {
    const fold = new ProductFold(spec, (id) => {
      const match = /^p-(\d+)$/.exec(id);
      const index = match ? Number(match[1]) : Number.NaN;
      return index < size ? catalogProduct(seed, index) : undefined;
    });
    for (let i = 0; i < size; i++) fold.seen.add(fold.key(textOf(catalogProduct(seed, i), spec)));
    return fold;
  }

  product(id: string): Product | undefined {
    if (this.products.has(id)) return this.products.get(id);
    return this.catalog(id);
  }

  apply(event: ProductEvent): EventTexts {
    const current = this.product(event.productId);
    let next: Product | undefined;
    switch (event.type) {
      case 'CREATE':
      case 'UPDATE':
        next = event.product ?? current;
        break;
      case 'PRICE_CHANGE':
        next = current ? { ...current, price: event.price } : undefined;
        break;
      case 'STOCK_UPDATE':
        next = current ? { ...current, stock: event.stock } : undefined;
        break;
      case 'DELETE':
        next = undefined;
        break;
    }
    // Deleted products stay in the map as undefined so the catalog does not bring them back.
    this.products.set(event.productId, next);
    if (next === undefined) return { naive: null, fresh: null };
    const text = textOf(next, this.spec);
    let fresh: string | null = null;
    if (event.type === 'CREATE' || event.type === 'UPDATE') {
      const key = this.key(text);
      if (!this.seen.has(key)) {
        this.seen.add(key);
        fresh = text;
      }
    }
    return { naive: text, fresh };
  }

  /** A copy sharing nothing mutable, for a consumer that folds the same events again. */
  clone(): ProductFold {
    const copy = new ProductFold(this.spec, this.catalog);
    for (const [k, v] of this.products) copy.products.set(k, v);
    for (const k of this.seen) copy.seen.add(k);
    return copy;
  }

  private key(text: string): string {
    return createHash('sha1').update(text).digest('base64');
  }
}

export interface TokenBudget {
  events: number;
  /** Tokens a pipeline that embeds every non-delete event's whole text would pay. */
  naive: number;
  /** Tokens of the distinct texts never embedded before: the least any pipeline must pay. */
  limit: number;
  freshTexts: number;
}

/** Folds `events` (mutating `fold`) and counts naive and least tokens with `count` (the real tokenizer). */
export function tokenBudget(
  fold: ProductFold,
  events: readonly ProductEvent[],
  count: (text: string) => number,
): TokenBudget {
  const budget: TokenBudget = { events: events.length, naive: 0, limit: 0, freshTexts: 0 };
  const memo = new Map<string, number>();
  const tokens = (text: string) => {
    let n = memo.get(text);
    if (n === undefined) {
      n = count(text);
      memo.set(text, n);
    }
    return n;
  };
  for (const event of events) {
    const texts = fold.apply(event);
    if (texts.naive !== null) budget.naive += tokens(texts.naive);
    if (texts.fresh !== null) {
      budget.limit += tokens(texts.fresh);
      budget.freshTexts += 1;
    }
  }
  return budget;
}

export function mixOf(events: readonly ProductEvent[]): Record<ProductEvent['type'], number> {
  const mix: Record<ProductEvent['type'], number> = {
    CREATE: 0,
    UPDATE: 0,
    PRICE_CHANGE: 0,
    STOCK_UPDATE: 0,
    DELETE: 0,
  };
  for (const e of events) mix[e.type] += 1;
  return mix;
}
