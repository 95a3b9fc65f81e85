import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingAbortedError } from './errors.js';
import { HASH_DIMENSION, HASH_MODEL, HashEmbeddingProvider } from './hash-provider.js';

const provider = new HashEmbeddingProvider();
const vec = (text: string): Float32Array => provider.embedOne(text);
const cosine = (a: Float32Array, b: Float32Array): number => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};
const norm = (v: Float32Array): number => Math.sqrt(cosine(v, v));

const HEADPHONES =
  'Sony WH-1000XM5 Wireless Noise Canceling Over-Ear Headphones. Industry-leading noise cancellation, ' +
  '30-hour battery life, Bluetooth, black. Category: Audio > Headphones. Brand: Sony.';
const KNIFE =
  "Chef's Knife 8 inch, German high-carbon stainless steel kitchen knife with ergonomic handle. " +
  'Category: Kitchen > Cutlery. Brand: Wüsthof.';

test('a search for headphones is closer to a headphones product than to a kitchen knife', () => {
  const query = vec('wireless noise cancelling headphones');
  const toHeadphones = cosine(query, vec(HEADPHONES));
  const toKnife = cosine(query, vec(KNIFE));
  assert.ok(toHeadphones > toKnife + 0.25, `headphones ${toHeadphones} vs knife ${toKnife}`);
});

test('near-duplicates are closer than unrelated texts, in English, Vietnamese and Chinese', () => {
  const cases: Array<[string, string, string]> = [
    [HEADPHONES, HEADPHONES.replace('black', 'silver').replace('30-hour', '32-hour'), KNIFE],
    [
      'Tai nghe không dây chống ồn Sony, pin 30 giờ, màu đen',
      'Tai nghe không dây chống ồn Sony, pin 40 giờ, màu bạc',
      'Dao nhà bếp bằng thép không gỉ, cán gỗ',
    ],
    [
      '无线降噪耳机，蓝牙5.3，续航30小时，黑色',
      '无线降噪耳机，蓝牙5.0，续航40小时，白色',
      '不锈钢厨房刀具，德国高碳钢',
    ],
    ['🎧 headphones for travel 🔥', '🎧 headphones for the gym 🔥', '🔪 knife block'],
  ];
  for (const [text, nearDuplicate, unrelated] of cases) {
    const near = cosine(vec(text), vec(nearDuplicate));
    const far = cosine(vec(text), vec(unrelated));
    assert.ok(near > 0.5 && near > far + 0.3, `${text}: near ${near}, unrelated ${far}`);
  }
});

test('a query without Vietnamese diacritics still finds the accented text', () => {
  const query = vec('tai nghe khong day');
  const accented = vec('Tai nghe không dây chống ồn Sony');
  const other = vec('Dao nhà bếp bằng thép không gỉ');
  assert.ok(cosine(query, accented) > cosine(query, other) + 0.2);
});

test('a Chinese query without spaces matches by characters and character pairs', () => {
  const query = vec('降噪耳机');
  assert.ok(cosine(query, vec('无线降噪耳机，蓝牙5.3')) > 0.4);
  assert.ok(Math.abs(cosine(query, vec('不锈钢厨房刀具'))) < 0.1);
});

test('identical text gives an identical vector, across instances too', async () => {
  const again = new HashEmbeddingProvider();
  const [a, b] = await provider.embed([HEADPHONES, HEADPHONES]);
  assert.deepEqual(a, b);
  assert.deepEqual(again.embedOne(HEADPHONES), a);
  assert.notDeepEqual(vec(HEADPHONES), vec(KNIFE));
});

test('case and Unicode normalisation do not change the vector', () => {
  assert.deepEqual(vec('WIRELESS Headphones'), vec('wireless headphones'));
  // "ồ" precomposed (NFC) and decomposed (NFD) are the same text.
  assert.deepEqual(vec('chống ồn'.normalize('NFC')), vec('chống ồn'.normalize('NFD')));
});

test('every vector has unit length, empty and punctuation-only text included', async () => {
  const texts = [
    '',
    '   ',
    '!!! ... ???',
    '🎧',
    'a',
    'the and of',
    HEADPHONES,
    KNIFE.repeat(50),
    '无',
    'x'.repeat(10_000),
  ];
  for (const v of await provider.embed(texts)) {
    assert.equal(v.length, HASH_DIMENSION);
    assert.ok(Math.abs(norm(v) - 1) < 1e-5, `norm ${norm(v)}`);
    assert.ok(v.every(Number.isFinite));
  }
});

test('the dimension is configurable and the model id is freshet-hash-v1', async () => {
  const wide = new HashEmbeddingProvider({ dimension: 1536 });
  const [v] = await wide.embed(['wireless headphones']);
  assert.equal(v!.length, 1536);
  assert.equal(wide.model, HASH_MODEL);
  assert.equal(HASH_MODEL, 'freshet-hash-v1');
  assert.throws(() => new HashEmbeddingProvider({ dimension: 0 }), RangeError);
});

test('an aborted signal rejects with EmbeddingAbortedError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(provider.embed(['x'], controller.signal), EmbeddingAbortedError);
});
