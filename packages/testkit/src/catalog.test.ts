import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { avroType, type Product } from '@freshet/schemas';
import {
  DESCRIPTION_WORDS,
  descriptionWords,
  editProductText,
  generateCatalog,
  MINOR_UNIT_EXPONENT,
  productId,
  productLanguage,
  readCatalogJsonl,
  writeCatalogJsonl,
} from './catalog.js';
import { Rng } from './rng.js';
import { SAMPLE_CATALOG } from './sample-catalog.js';

const catalog = generateCatalog({ count: 3000, seed: 42 });
const EMOJI = /\p{Extended_Pictographic}/u;

test('the same seed gives the same catalog; product i does not depend on the count', () => {
  assert.deepEqual(generateCatalog({ count: 50, seed: 42 }), catalog.slice(0, 50));
  assert.deepEqual(generateCatalog({ count: 10, seed: 42, start: 100 }), catalog.slice(100, 110));
  assert.notDeepEqual(generateCatalog({ count: 50, seed: 43 }), catalog.slice(0, 50));
  assert.equal(catalog[123]?.productId, 'p-000123');
  assert.equal(productId(1_234_567), 'p-1234567');
});

test('every product is valid for the router and encodes as a v1 CREATE', () => {
  const type = avroType('ProductEvent.v1');
  for (const { productId: id, product } of catalog) {
    if (product.price) {
      assert.ok(Number.isSafeInteger(product.price.amountMinor) && product.price.amountMinor > 0, id);
      assert.match(product.price.currency, /^[A-Z]{3}$/);
    }
    if (product.stock !== null) assert.ok(Number.isInteger(product.stock) && product.stock >= 0, id);
    assert.ok(Buffer.byteLength(product.title) + Buffer.byteLength(product.description) < 32 * 1024, id);
    assert.ok(Buffer.byteLength(product.title) <= 1024, `${id} title fits Milvus VarChar(1024)`);
    const event = {
      eventId: 'e',
      type: 'CREATE',
      productId: id,
      version: 1,
      occurredAt: 0,
      product,
      price: null,
      stock: null,
    };
    assert.ok(type.isValid(event), `${id} is a valid ProductEvent`);
  }
});

test('descriptions are 30–200 words long', () => {
  const words = catalog.map((e) => descriptionWords(e.product.description));
  assert.ok(Math.min(...words) >= DESCRIPTION_WORDS.min);
  assert.ok(Math.max(...words) <= DESCRIPTION_WORDS.max);
  const mean = words.reduce((a, b) => a + b, 0) / words.length;
  assert.ok(mean > 60 && mean < 140, `mean ${mean}`);
});

test('mostly English, with Vietnamese (diacritics), Chinese and emoji', () => {
  const languages = { en: 0, vi: 0, zh: 0 };
  for (const { product } of catalog) languages[productLanguage(product)] += 1;
  assert.ok(languages.en / catalog.length > 0.7, JSON.stringify(languages));
  assert.ok(languages.vi / catalog.length > 0.08, JSON.stringify(languages));
  assert.ok(languages.zh / catalog.length > 0.06, JSON.stringify(languages));
  assert.ok(catalog.some((e) => /chống ồn|Tai nghe/.test(e.product.title)));
  assert.ok(catalog.some((e) => /\p{Script=Han}/u.test(e.product.title)));
  assert.ok(catalog.filter((e) => EMOJI.test(e.product.title)).length > 100);
  assert.ok(catalog.filter((e) => EMOJI.test(e.product.description)).length > 100);
});

test('dozens of products are genuinely wireless noise-cancelling headphones', () => {
  const headphones = catalog.filter(
    ({ product: p }) =>
      p.category === 'Electronics > Audio > Headphones' &&
      /wireless/i.test(p.title) &&
      /noise[- ]cancell/i.test(p.title) &&
      /noise/i.test(p.description),
  );
  assert.ok(headphones.length >= 36, `${headphones.length} ANC headphones`);
});

test('prices are mostly USD, in realistic minor amounts; some stock is 0; images are URLs', () => {
  const byCurrency = new Map<string, Product[]>();
  for (const { product } of catalog) {
    if (!product.price) continue;
    const list = byCurrency.get(product.price.currency) ?? [];
    list.push(product);
    byCurrency.set(product.price.currency, list);
  }
  assert.deepEqual([...byCurrency.keys()].sort(), ['CNY', 'EUR', 'JPY', 'USD', 'VND']);
  assert.ok((byCurrency.get('USD')?.length ?? 0) / catalog.length > 0.6);
  for (const p of byCurrency.get('USD') ?? []) {
    const cents = (p.price?.amountMinor ?? 0) % 100;
    assert.ok([99, 95, 49, 0].includes(cents), `USD ${p.price?.amountMinor}`);
  }
  for (const p of byCurrency.get('VND') ?? []) {
    assert.equal((p.price?.amountMinor ?? 1) % 1000, 0, 'đồng in thousands');
    assert.ok((p.price?.amountMinor ?? 0) >= 10_000);
  }
  for (const p of byCurrency.get('JPY') ?? [])
    assert.equal((p.price?.amountMinor ?? 1) % 10, 0, 'yen in tens');
  for (const p of byCurrency.get('CNY') ?? [])
    assert.equal((p.price?.amountMinor ?? 0) % 1000, 900, 'yuan ending in 9');
  assert.equal(MINOR_UNIT_EXPONENT.VND, 0);
  const outOfStock = catalog.filter((e) => e.product.stock === 0).length;
  assert.ok(outOfStock > 100 && outOfStock < 400, `${outOfStock} out of stock`);
  const withImage = catalog.filter((e) => e.product.imageUrl !== null);
  assert.ok(withImage.length > 2800);
  for (const e of withImage) assert.ok(new URL(e.product.imageUrl as string).pathname.includes(e.productId));
});

test('brands, categories, tags and attributes are filled like a real catalog', () => {
  const categories = new Set(catalog.map((e) => e.product.category));
  for (const prefix of [
    'Electronics > Audio > Earbuds',
    'Electronics > Audio > Speakers',
    'Kitchen',
    'Apparel',
    'Books',
    'Toys',
    'Beauty',
    'Sports',
    'Home',
  ]) {
    assert.ok(
      [...categories].some((c) => c?.startsWith(prefix)),
      prefix,
    );
  }
  assert.ok(new Set(catalog.map((e) => e.product.brand)).size > 30);
  assert.ok(catalog.every((e) => e.product.tags.length >= 2));
  assert.ok(catalog.filter((e) => e.product.attributes.color !== undefined).length > 2000);
  assert.ok(catalog.some((e) => e.product.attributes.size !== undefined));
  assert.ok(catalog.some((e) => e.product.brand === null));
});

test('a text edit always changes the title or description and keeps the language', () => {
  const rng = new Rng(3);
  for (const { productId: id, product } of catalog.slice(0, 500)) {
    let current = product;
    for (let i = 0; i < 6; i++) {
      const next = editProductText(current, rng);
      assert.ok(next.title !== current.title || next.description !== current.description, id);
      assert.equal(productLanguage(next), productLanguage(product), `${id} edit ${i}`);
      assert.deepEqual(
        [next.price, next.stock, next.imageUrl],
        [current.price, current.stock, current.imageUrl],
      );
      current = next;
    }
    assert.ok(
      descriptionWords(current.description) < DESCRIPTION_WORDS.max + 40,
      `${id} does not grow without bound`,
    );
  }
});

test('JSONL round-trips, one { productId, product } per line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'freshet-catalog-'));
  try {
    const path = join(dir, 'nested', 'catalog.jsonl');
    assert.equal(await writeCatalogJsonl(path, catalog.slice(0, 25)), 25);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 25);
    assert.deepEqual(Object.keys(JSON.parse(lines[0] as string) as object), ['productId', 'product']);
    assert.deepEqual(await readCatalogJsonl(path), catalog.slice(0, 25));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the committed sample catalog is the 3,000 products of seed 42', async () => {
  assert.equal(SAMPLE_CATALOG.count, 3000);
  assert.deepEqual(await readCatalogJsonl(SAMPLE_CATALOG.path), catalog);
});
