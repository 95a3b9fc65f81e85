import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHash, embeddingText, type Price, type Product, type ProductEvent } from '@freshet/schemas';
import { badInput } from './bad-inputs.js';
import { type ActualRow, buildOracle, type ExpectedRow, type OracleText } from './oracle.js';
import type { StreamItem } from './stream.js';

// The router's real template and hash, plugged in the way integration tests do.
const MODEL = { model: 'text-embedding-3-small', dimension: 1536, templateVersion: 1 };
const TEXT: OracleText = {
  embeddingText: (p) => embeddingText(p, { templateVersion: 1, attributes: ['color', 'material', 'size'] }),
  contentHash: (t) => contentHash(t, MODEL),
};

function product(title: string, over: Partial<Product> = {}): Product {
  return {
    title,
    description: `${title}, described.`,
    category: 'Electronics > Audio > Headphones',
    brand: 'Nimbus Audio',
    tags: ['headphones'],
    attributes: { color: 'Black' },
    price: { amountMinor: 9999, currency: 'USD' },
    stock: 5,
    imageUrl: null,
    ...over,
  };
}

let ids = 0;
function ev(
  productId: string,
  type: ProductEvent['type'],
  version: number,
  parts: { product?: Product; price?: Price; stock?: number; eventId?: string } = {},
): StreamItem {
  return {
    kind: 'event',
    event: {
      eventId: parts.eventId ?? `e-${++ids}`,
      type,
      productId,
      version,
      occurredAt: 1_700_000_000_000 + version,
      product: parts.product ?? null,
      price: parts.price ?? null,
      stock: parts.stock ?? null,
    },
  };
}
const tombstone = (productId: string): StreamItem => ({ kind: 'tombstone', productId });

function present(items: StreamItem[], id = 'p-1'): ExpectedRow {
  const expected = buildOracle(items, TEXT).get(id);
  assert.ok(expected?.exists, `${id} is expected present`);
  return expected;
}
function absent(items: StreamItem[], id = 'p-1'): number {
  const expected = buildOracle(items, TEXT).get(id);
  assert.ok(expected && !expected.exists, `${id} is expected absent`);
  return expected.version;
}

describe('oracle rules (DESIGN §4)', () => {
  test('create then updates: the highest version’s fields and text win', () => {
    const row = present([
      ev('p-1', 'CREATE', 1, { product: product('Old') }),
      ev('p-1', 'UPDATE', 2, { product: product('New', { brand: null, category: null }) }),
    ]);
    assert.equal(row.version, 2);
    assert.equal(row.title, 'New');
    assert.equal(row.brand, null);
    assert.equal(row.category, null);
    assert.equal(row.text, TEXT.embeddingText(product('New', { brand: null, category: null })));
    assert.equal(row.contentHash, TEXT.contentHash(row.text));
  });

  test('an event whose version is not above the current one changes nothing, whatever its order', () => {
    const row = present([
      ev('p-1', 'UPDATE', 5, { product: product('Five') }),
      ev('p-1', 'UPDATE', 3, { product: product('Three') }),
      ev('p-1', 'UPDATE', 5, { product: product('Five again') }),
      ev('p-1', 'PRICE_CHANGE', 4, { price: { amountMinor: 1, currency: 'USD' } }),
    ]);
    assert.deepEqual([row.version, row.title, row.priceMinor], [5, 'Five', 9999]);
  });

  test('an older update after a delete does not resurrect the product', () => {
    const version = absent([
      ev('p-1', 'CREATE', 1, { product: product('A') }),
      ev('p-1', 'DELETE', 3),
      ev('p-1', 'UPDATE', 2, { product: product('Late') }),
      ev('p-1', 'PRICE_CHANGE', 3, { price: { amountMinor: 5, currency: 'USD' } }),
    ]);
    assert.equal(version, 3, 'the delete is remembered by its version');
  });

  test('a newer create after a delete brings the product back', () => {
    const row = present([
      ev('p-1', 'CREATE', 1, { product: product('A') }),
      ev('p-1', 'DELETE', 2),
      ev('p-1', 'CREATE', 3, { product: product('Back') }),
    ]);
    assert.deepEqual([row.version, row.title], [3, 'Back']);
  });

  test('a newer partial after a delete does not bring it back (a partial cannot create)', () => {
    assert.equal(
      absent([
        ev('p-1', 'CREATE', 1, { product: product('A') }),
        ev('p-1', 'DELETE', 2),
        ev('p-1', 'STOCK_UPDATE', 3, { stock: 9 }),
      ]),
      2,
      'nor does it move the version',
    );
  });

  test('a tombstone deletes at an unknown version: blocks nothing newer, and older stays stale', () => {
    const before = [ev('p-1', 'CREATE', 5, { product: product('A') }), tombstone('p-1')];
    assert.equal(absent(before), 5, 'version unchanged by the tombstone');
    assert.equal(absent([...before, ev('p-1', 'UPDATE', 4, { product: product('Older') })]), 5);
    assert.equal(
      absent([...before, ev('p-1', 'PRICE_CHANGE', 6, { price: { amountMinor: 1, currency: 'EUR' } })]),
      5,
    );
    const row = present([...before, ev('p-1', 'UPDATE', 6, { product: product('Newer') })]);
    assert.deepEqual([row.version, row.title], [6, 'Newer']);
    assert.equal(
      absent([tombstone('p-9')], 'p-9'),
      Number.NEGATIVE_INFINITY,
      'a tombstone of an unknown product',
    );
  });

  test('duplicates (same eventId) change nothing, even with a higher version', () => {
    const created = ev('p-1', 'CREATE', 1, { product: product('A'), eventId: 'dup' });
    const price = ev('p-1', 'PRICE_CHANGE', 2, { price: { amountMinor: 500, currency: 'USD' } });
    const row = present([
      created,
      price,
      price,
      created,
      ev('p-1', 'UPDATE', 9, { product: product('B'), eventId: 'dup' }),
    ]);
    assert.deepEqual([row.version, row.title, row.priceMinor], [2, 'A', 500]);
  });

  test('a partial on a missing product changes nothing and does not block a later create', () => {
    const items = [
      ev('p-1', 'PRICE_CHANGE', 7, { price: { amountMinor: 1, currency: 'USD' } }),
      ev('p-1', 'STOCK_UPDATE', 8, { stock: 1 }),
    ];
    assert.equal(absent(items), Number.NEGATIVE_INFINITY);
    const row = present([...items, ev('p-1', 'CREATE', 3, { product: product('Created') })]);
    assert.deepEqual([row.version, row.title, row.priceMinor, row.stock], [3, 'Created', 9999, 5]);
  });

  test('price and stock changes update those fields and the version, not the text', () => {
    const base = product('A', { price: null, stock: null });
    const row = present([
      ev('p-1', 'CREATE', 1, { product: base }),
      ev('p-1', 'PRICE_CHANGE', 2, { price: { amountMinor: 129_000, currency: 'VND' } }),
      ev('p-1', 'STOCK_UPDATE', 3, { stock: 0 }),
    ]);
    assert.deepEqual([row.version, row.priceMinor, row.currency, row.stock], [3, 129_000, 'VND', 0]);
    assert.equal(row.contentHash, TEXT.contentHash(TEXT.embeddingText(base)));
    assert.deepEqual(row.product.price, { amountMinor: 129_000, currency: 'VND' });
  });

  test('bad input and events the router rejects change nothing', () => {
    const row = present([
      ev('p-1', 'CREATE', 1, { product: product('A') }),
      { kind: 'bad', input: badInput('update-without-product', 'p-1') },
      { kind: 'bad', input: badInput('negative-price', 'p-1') },
      ev('p-1', 'UPDATE', 2), // no product: FRESHET_MISSING_PRODUCT
    ]);
    assert.deepEqual([row.version, row.title], [1, 'A']);
  });

  test('products are independent of each other', () => {
    const oracle = buildOracle(
      [
        ev('p-1', 'CREATE', 1, { product: product('One') }),
        ev('p-2', 'CREATE', 1, { product: product('Two') }),
        ev('p-1', 'DELETE', 2),
      ],
      TEXT,
    );
    assert.deepEqual(
      oracle.present().map((r) => r.productId),
      ['p-2'],
    );
    assert.equal(oracle.size, 2);
  });
});

describe('diffAgainst', () => {
  const oracle = buildOracle(
    [
      ev('p-ok', 'CREATE', 3, { product: product('Ok') }),
      ev('p-lost', 'CREATE', 1, { product: product('Lost') }),
      ev('p-old', 'CREATE', 1, { product: product('Old') }),
      ev('p-old', 'UPDATE', 2, { product: product('New') }),
      ev('p-price', 'CREATE', 1, { product: product('Price') }),
      ev('p-price', 'PRICE_CHANGE', 2, { price: { amountMinor: 100, currency: 'USD' } }),
      ev('p-gone', 'CREATE', 1, { product: product('Gone') }),
      ev('p-gone', 'DELETE', 2),
    ],
    TEXT,
  );
  const rowOf = (id: string, over: Partial<ActualRow> = {}): ActualRow => {
    const e = oracle.get(id);
    assert.ok(e?.exists);
    return {
      productId: id,
      version: String(e.version), // Milvus returns Int64 as strings
      title: e.title,
      category: e.category,
      brand: e.brand,
      priceMinor: e.priceMinor === null ? null : String(e.priceMinor),
      currency: e.currency,
      stock: e.stock,
      contentHash: e.contentHash,
      ...over,
    };
  };

  test('the exact expected rows give an empty diff', () => {
    const diff = oracle.diffAgainst(oracle.present().map((r) => rowOf(r.productId)));
    assert.deepEqual([diff.lost, diff.stale, diff.ghost], [[], [], []]);
  });

  test('lost, stale (version, fields, content hash) and ghost rows are each reported', () => {
    const oldRow = oracle.get('p-old');
    assert.ok(oldRow?.exists);
    const diff = oracle.diffAgainst([
      rowOf('p-ok'),
      rowOf('p-old', {
        version: 1,
        title: 'Old',
        contentHash: TEXT.contentHash(TEXT.embeddingText(product('Old'))),
      }),
      rowOf('p-price', { priceMinor: 9999 }),
      { ...rowOf('p-ok'), productId: 'p-gone' },
      { ...rowOf('p-ok'), productId: 'p-never' },
    ]);
    assert.deepEqual(diff.lost, ['p-lost']);
    assert.deepEqual(diff.stale, ['p-old', 'p-price']);
    assert.deepEqual(diff.ghost, ['p-gone', 'p-never']);
    assert.deepEqual(
      diff.details.get('p-old')?.map((d) => d.split(':')[0]),
      ['version', 'title', 'contentHash'],
    );
    assert.deepEqual(diff.details.get('p-price'), ['priceMinor: 9999 ≠ 100']);
  });
});
