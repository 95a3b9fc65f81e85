import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashEmbeddingProvider } from './hash-provider.js';
import { LexicalHybrid } from './lexical-hybrid.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const PART = { dimension: 64, weight: 0.75, headChars: 40 };

function unit(values: number[]): Float32Array {
  const n = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  return Float32Array.from(values, (v) => v / n);
}

test('the cosine of two combined vectors is w · the model cosine + (1 − w) · the words cosine', () => {
  const hybrid = new LexicalHybrid(PART, 4);
  const words = new HashEmbeddingProvider({ dimension: PART.dimension });
  const [d1, d2] = [unit([1, 2, 3, 4]), unit([4, 1, 0, 2])];
  const [t1, t2] = ['black espresso machine', 'Hearthly espresso machine, Black'];
  const [a, b] = [hybrid.combine(d1, t1), hybrid.combine(d2, t2)];
  assert.equal(a.length, 4 + PART.dimension);
  assert.ok(Math.abs(dot(a, a) - 1) < 1e-5, 'unit length');
  const expected = 0.75 * dot(d1, d2) + 0.25 * dot(words.embedOne(t1), words.embedOne(t2));
  assert.ok(Math.abs(dot(a, b) - expected) < 1e-5, `${dot(a, b)} vs ${expected}`);
});

test('with the same meaning, the product sharing the query words ranks first; the words come from the head', () => {
  const hybrid = new LexicalHybrid(PART, 4);
  const meaning = unit([1, 1, 0, 0]);
  const query = hybrid.combine(meaning, 'black espresso machine');
  const black = hybrid.combine(meaning, 'Espresso Machine\ncolor: Black');
  const brown = hybrid.combine(meaning, 'Espresso Machine\ncolor: Brown');
  assert.ok(dot(query, black) > dot(query, brown));
  // Past headChars the text is not read: only the head decides.
  const head = `Espresso Machine${' '.repeat(PART.headChars)}`;
  assert.deepEqual(hybrid.combine(meaning, `${head}black`), hybrid.combine(meaning, `${head}brown`));
});

test('an unnormalised model vector is scaled so the weights stay exact; bad inputs are refused', () => {
  const hybrid = new LexicalHybrid(PART, 2);
  const v = hybrid.combine(Float32Array.from([3, 4]), 'x');
  assert.ok(Math.abs(v[0]! - Math.sqrt(0.75) * 0.6) < 1e-6);
  assert.throws(() => hybrid.combine(Float32Array.from([1, 0, 0]), 'x'), RangeError);
  assert.throws(() => new LexicalHybrid({ ...PART, weight: 1 }, 2), RangeError);
});
