import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentHash, embeddingText } from './embedding-text.js';
import type { Product } from './types.js';

const product: Product = {
  title: '  Tai nghe   chống ồn  ',
  description: 'Wireless noise cancelling headphones 🎧',
  category: 'Audio',
  brand: 'Sonic',
  tags: ['wireless', 'anc'],
  attributes: { color: 'black', warehouse: 'B7', material: 'plastic' },
  price: { amountMinor: 19900, currency: 'USD' },
  stock: 4,
  imageUrl: null,
};
const v1 = { templateVersion: 1, attributes: ['color', 'material'] };

test('template v1 is stable: title, brand, category, tags, chosen attributes, description', () => {
  assert.equal(
    embeddingText(product, v1),
    'Tai nghe chống ồn\nBrand: Sonic\nCategory: Audio\nTags: wireless, anc\ncolor: black\nmaterial: plastic\nWireless noise cancelling headphones 🎧',
  );
});

test('price, stock, image and unchosen attributes never reach the text', () => {
  const changed = { ...product, price: { amountMinor: 1, currency: 'EUR' }, stock: 0, imageUrl: 'x', attributes: { ...product.attributes, warehouse: 'C1' } };
  assert.equal(embeddingText(changed, v1), embeddingText(product, v1));
});

test('text is NFC-normalised so composed and decomposed Vietnamese hash alike', () => {
  const decomposed = { ...product, title: product.title.normalize('NFD') };
  assert.equal(embeddingText(decomposed, v1), embeddingText(product, v1));
});

test('the content hash changes with model, dimension, template version and text', () => {
  const base = { model: 'm', dimension: 384, templateVersion: 1 };
  const h = contentHash('t', base);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.notEqual(contentHash('t', { ...base, model: 'n' }), h);
  assert.notEqual(contentHash('t', { ...base, dimension: 385 }), h);
  assert.notEqual(contentHash('t', { ...base, templateVersion: 2 }), h);
  assert.notEqual(contentHash('u', base), h);
  assert.equal(contentHash('t', base), h);
});
