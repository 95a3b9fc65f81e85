import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentHash, embeddingText, UnknownTemplateVersionError } from './embedding-text.js';
import type { Product } from './types.js';

const product: Product = {
  title: '  Tai nghe   chống ồn  ',
  description: 'Wireless noise\tcancelling\n\nheadphones 🎧',
  category: 'Audio > Headphones',
  brand: 'Sonic',
  tags: ['wireless', ' anc ', ''],
  attributes: { material: 'plastic', warehouse: 'B7', color: 'black' },
  price: { amountMinor: 19900, currency: 'USD' },
  stock: 4,
  imageUrl: 'https://img.example/1.jpg',
};
const v1 = { templateVersion: 1, attributes: ['color', 'material', 'size'] };

test('template v1 is stable: title, brand, category, tags, description, chosen attributes by key', () => {
  assert.equal(
    embeddingText(product, v1),
    [
      'Tai nghe chống ồn',
      'Brand: Sonic',
      'Category: Audio > Headphones',
      'Tags: wireless, anc',
      'Wireless noise cancelling headphones 🎧',
      'color: black',
      'material: plastic',
    ].join('\n'),
  );
});

test('template v2 puts the chosen attributes before tags and description, so a model reading the head sees them', () => {
  assert.equal(
    embeddingText(product, { ...v1, templateVersion: 2 }),
    [
      'Tai nghe chống ồn',
      'Brand: Sonic',
      'Category: Audio > Headphones',
      'color: black',
      'material: plastic',
      'Tags: wireless, anc',
      'Wireless noise cancelling headphones 🎧',
    ].join('\n'),
  );
});

test('absent brand, category, tags and attributes leave no empty lines', () => {
  const bare: Product = { ...product, brand: null, category: '  ', tags: [], attributes: {} };
  assert.equal(embeddingText(bare, v1), 'Tai nghe chống ồn\nWireless noise cancelling headphones 🎧');
});

test('price, stock, image and unchosen attributes never reach the text', () => {
  const changed: Product = {
    ...product,
    price: { amountMinor: 1, currency: 'EUR' },
    stock: 0,
    imageUrl: null,
    attributes: { ...product.attributes, warehouse: 'C1' },
  };
  const text = embeddingText(changed, v1);
  assert.equal(text, embeddingText(product, v1));
  assert.doesNotMatch(text, /19900|199\.00|USD|EUR|B7|C1|img\.example/);
});

test('attribute order depends neither on the map nor on the configured list', () => {
  const reordered: Product = {
    ...product,
    attributes: { color: 'black', warehouse: 'B7', material: 'plastic' },
  };
  assert.equal(
    embeddingText(reordered, { templateVersion: 1, attributes: ['size', 'material', 'color', 'color'] }),
    embeddingText(product, v1),
  );
});

test('a chosen key that names an Object.prototype member is not read from the prototype', () => {
  const text = embeddingText(product, { templateVersion: 1, attributes: ['constructor', 'toString'] });
  assert.doesNotMatch(text, /constructor|toString|function/);
});

test('text is NFC-normalised so composed and decomposed Vietnamese hash alike', () => {
  const decomposed: Product = {
    ...product,
    title: product.title.normalize('NFD'),
    description: product.description.normalize('NFD'),
  };
  assert.notEqual(decomposed.title, product.title);
  assert.equal(embeddingText(decomposed, v1), embeddingText(product, v1));
});

test('an unknown template version is refused, not silently rendered as another', () => {
  for (const templateVersion of [0, 3])
    assert.throws(() => embeddingText(product, { ...v1, templateVersion }), UnknownTemplateVersionError);
});

test('the content hash changes with model, dimension, template version and text, and only with them', () => {
  const base = { model: 'm', dimension: 384, templateVersion: 1 };
  const h = contentHash('t', base);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(contentHash('t', { ...base }), h);
  assert.notEqual(contentHash('t', { ...base, model: 'n' }), h);
  assert.notEqual(contentHash('t', { ...base, dimension: 385 }), h);
  assert.notEqual(contentHash('t', { ...base, templateVersion: 2 }), h);
  assert.notEqual(contentHash('u', base), h);
});

test('the hash is sha256 of model, dimension, template version and text, NUL-separated', () => {
  // A fixed vector, so the framing cannot change silently (it would re-embed the whole catalog).
  assert.equal(
    contentHash('hello', { model: 'freshet-local-v1', dimension: 384, templateVersion: 1 }),
    '751732d13b67e75a973726ceccb529b5d521549ccb86fe372af38a01f38a580d',
  );
});
