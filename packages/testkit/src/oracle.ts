import type { Product, ProductEvent } from '@freshet/schemas';
import type { StreamItem } from './stream.js';

/**
 * The router's real text template and hash, plugged in so the oracle never keeps a copy of them:
 * e.g. `{ embeddingText: (p) => embeddingText(p, textOptions), contentHash: (t) => contentHash(t, model) }`.
 */
export interface OracleText {
  embeddingText(product: Product): string;
  contentHash(text: string): string;
}

/** A product the index must hold after the stream is drained, with the fields of its winning event. */
export interface ExpectedRow {
  exists: true;
  productId: string;
  version: number;
  title: string;
  category: string | null;
  brand: string | null;
  priceMinor: number | null;
  currency: string | null;
  stock: number | null;
  text: string;
  contentHash: string;
  /** The full product state (after any price/stock changes). */
  product: Product;
}

/** A product the index must not hold: deleted (version of the delete) or never validly created (−∞). */
export interface ExpectedAbsent {
  exists: false;
  productId: string;
  /** Highest version seen; −Infinity when none; unchanged by a tombstone. */
  version: number;
}

export type Expected = ExpectedRow | ExpectedAbsent;

/** A row read back from Milvus (Int64 fields may come back as strings; both are accepted). */
export interface ActualRow {
  productId: string;
  version: number | string | bigint;
  title: string;
  category: string | null;
  brand: string | null;
  priceMinor: number | string | bigint | null;
  currency: string | null;
  stock: number | null;
  contentHash: string;
}

export interface OracleDiff {
  /** Expected present, missing from the index. */
  lost: string[];
  /** Present, but with another version, other fields or another content hash. */
  stale: string[];
  /** Present, but expected deleted or never created. */
  ghost: string[];
  /** For each stale product, what differs (`field: actual ≠ expected`). */
  details: Map<string, string[]>;
}

/** The expected final index, product by product; `diffAgainst` compares it with what Milvus holds. */
export class Oracle extends Map<string, Expected> {
  /** The products the index must hold. */
  present(): ExpectedRow[] {
    return [...this.values()].filter((e): e is ExpectedRow => e.exists);
  }

  diffAgainst(rows: Iterable<ActualRow>): OracleDiff {
    const diff: OracleDiff = { lost: [], stale: [], ghost: [], details: new Map() };
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.productId);
      const expected = this.get(row.productId);
      if (!expected?.exists) {
        diff.ghost.push(row.productId);
        continue;
      }
      const differences = compare(row, expected);
      if (differences.length > 0) {
        diff.stale.push(row.productId);
        diff.details.set(row.productId, differences);
      }
    }
    for (const expected of this.values())
      if (expected.exists && !seen.has(expected.productId)) diff.lost.push(expected.productId);
    diff.lost.sort();
    diff.stale.sort();
    diff.ghost.sort();
    return diff;
  }
}

/** What the pipeline holds for one product at a point of the stream. */
export interface IndexState {
  exists: boolean;
  /** Highest version that counted; −Infinity when none. */
  version: number;
  product: Product | null;
}

/**
 * The rules of DESIGN §4, applied one produced item at a time in produce order (the pipeline keeps
 * each product's order end to end):
 * - an event whose version is not above the product's changes nothing; so does a repeated eventId;
 * - CREATE/UPDATE: the product exists with all fields of the event;
 * - PRICE_CHANGE/STOCK_UPDATE: updates price or stock of an existing product; cannot create one;
 * - DELETE: the product is gone, and its version is remembered so an older update cannot resurrect it;
 * - a Kafka tombstone: gone, version unchanged (blocks nothing newer);
 * - bad input (rejected by the router) changes nothing.
 * The stream generator uses it too, to know what the index holds when it makes "unchanged text" updates.
 */
export class IndexFold {
  private readonly states = new Map<string, IndexState>();
  private readonly eventIds = new Set<string>();

  /** `baseline` gives the state of a product not seen yet (e.g. a warm catalog produced earlier). */
  constructor(private readonly baseline: (productId: string) => IndexState | null = () => null) {}

  apply(item: StreamItem): void {
    if (item.kind === 'bad') return;
    if (item.kind === 'tombstone') {
      const s = this.stateOf(item.productId);
      s.exists = false;
      s.product = null;
      return;
    }
    const e = item.event;
    // The router drops an eventId it has already forwarded (DESIGN §4.3), whatever its version.
    if (this.eventIds.has(e.eventId)) return;
    this.eventIds.add(e.eventId);
    apply(this.stateOf(e.productId), e);
  }

  /** The state of a product (absent at −Infinity when nothing counted yet). */
  get(productId: string): Readonly<IndexState> {
    return this.states.get(productId) ?? this.baseline(productId) ?? absent();
  }

  entries(): IterableIterator<[string, Readonly<IndexState>]> {
    return this.states.entries();
  }

  private stateOf(productId: string): IndexState {
    let s = this.states.get(productId);
    if (!s) {
      s = this.baseline(productId) ?? absent();
      this.states.set(productId, s);
    }
    return s;
  }
}

const absent = (): IndexState => ({ exists: false, version: Number.NEGATIVE_INFINITY, product: null });

/** The expected final index after `items` (see IndexFold for the rules), with texts and hashes. */
export function buildOracle(items: Iterable<StreamItem>, text: OracleText): Oracle {
  const fold = new IndexFold();
  for (const item of items) fold.apply(item);
  const oracle = new Oracle();
  for (const [productId, s] of fold.entries()) {
    if (s.exists && s.product) {
      const embedding = text.embeddingText(s.product);
      oracle.set(productId, {
        exists: true,
        productId,
        version: s.version,
        title: s.product.title,
        category: s.product.category,
        brand: s.product.brand,
        priceMinor: s.product.price?.amountMinor ?? null,
        currency: s.product.price?.currency ?? null,
        stock: s.product.stock,
        text: embedding,
        contentHash: text.contentHash(embedding),
        product: s.product,
      });
    } else oracle.set(productId, { exists: false, productId, version: s.version });
  }
  return oracle;
}

function apply(s: IndexState, e: ProductEvent): void {
  if (e.version <= s.version) return;
  switch (e.type) {
    case 'CREATE':
    case 'UPDATE':
      if (!e.product) return; // the router rejects it (FRESHET_MISSING_PRODUCT)
      s.exists = true;
      s.version = e.version;
      s.product = e.product;
      return;
    case 'PRICE_CHANGE':
      if (!s.exists || !s.product || !e.price) return;
      s.product = { ...s.product, price: e.price };
      s.version = e.version;
      return;
    case 'STOCK_UPDATE':
      if (!s.exists || !s.product || e.stock === null) return;
      s.product = { ...s.product, stock: e.stock };
      s.version = e.version;
      return;
    case 'DELETE':
      s.exists = false;
      s.product = null;
      s.version = e.version;
      return;
  }
}

const int = (value: number | string | bigint | null): number | null =>
  value === null ? null : Number(value);

function compare(row: ActualRow, expected: ExpectedRow): string[] {
  const differences: string[] = [];
  const check = (field: string, actual: unknown, wanted: unknown) => {
    if (actual !== wanted)
      differences.push(`${field}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(wanted)}`);
  };
  check('version', int(row.version), expected.version);
  check('title', row.title, expected.title);
  check('category', row.category, expected.category);
  check('brand', row.brand, expected.brand);
  check('priceMinor', int(row.priceMinor), expected.priceMinor);
  check('currency', row.currency, expected.currency);
  check('stock', row.stock, expected.stock);
  check('contentHash', row.contentHash, expected.contentHash);
  return differences;
}
