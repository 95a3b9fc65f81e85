import { EmbeddingAbortedError } from './errors.js';
import type { EmbeddingProvider } from './provider.js';

export const HASH_MODEL = 'freshet-hash-v1';
export const HASH_DIMENSION = 384;

// Scripts written without spaces between words: each character is a unit and neighbouring pairs
// stand in for words (a Chinese word is mostly two characters).
const UNSPACED = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}`;
const SEGMENT = new RegExp(
  String.raw`(\p{Extended_Pictographic})|([${UNSPACED}]+)|([[\p{L}\p{N}\p{M}]--[${UNSPACED}]]+)`,
  'gv',
);
const MARKS = /\p{M}/gu;
const NON_ASCII = /[^ -~]/; // anything but printable ASCII

// Words that appear in almost every English product text carry no meaning for search; without IDF
// (the provider sees one text at a time) they would pull unrelated products together.
const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or our that the this to was with your you'.split(
    ' ',
  ),
);

// Feature kinds: a seed each so "w:ab" and "3:ab" never share a hash, and a weight each. A word of
// n letters yields about 2n character 3/4-grams; at 0.25 each their squared mass roughly equals the
// word's own, so whole-word matches and spelling-variant matches count about the same.
const WORD = 0x9e3779b1;
const TRIGRAM = 0x85ebca6b;
const FOURGRAM = 0xc2b2ae35;
const UNIT = 0x27d4eb2f;
const PAIR = 0x165667b1;
const EMOJI = 0xd3a2646c;
const WEIGHT: Record<number, number> = {
  [WORD]: 1,
  [TRIGRAM]: 0.25,
  [FOURGRAM]: 0.25,
  [UNIT]: 0.5,
  [PAIR]: 1,
  [EMOJI]: 1,
};

export interface HashProviderOptions {
  /** Buckets of the hashed feature space. Default 384. */
  dimension?: number;
}

/**
 * The `hash` provider (DESIGN §3), for tests and the smallest footprint: deterministic feature hashing of lower-cased words and
 * character 3- and 4-grams (per-character units and pairs for Chinese, Japanese, Thai…; emoji as
 * words) into `dimension` buckets with a signed hash, sublinear tf, L2-normalised. No network, no
 * account, no model files, and cosine similarity ranks texts sharing words and word pieces first
 * (it knows no meaning: a paraphrase with no shared word finds nothing; `local` does).
 */
export class HashEmbeddingProvider implements EmbeddingProvider {
  readonly model = HASH_MODEL;
  readonly dimension: number;
  // Reused between texts: a Map here cost 60% of the time (measured), an open-addressing table 10%.
  private readonly features = new FeatureTable();

  constructor(options: HashProviderOptions = {}) {
    this.dimension = options.dimension ?? HASH_DIMENSION;
    if (!Number.isInteger(this.dimension) || this.dimension < 1) {
      throw new RangeError(`dimension must be a positive integer, got ${this.dimension}`);
    }
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (signal?.aborted) throw new EmbeddingAbortedError(undefined, { cause: signal.reason });
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): Float32Array {
    const features = this.features;
    features.clear();
    const add = (hash: number, kind: number): void => features.add(hash, WEIGHT[kind]!);

    for (const match of text.normalize('NFKC').toLowerCase().matchAll(SEGMENT)) {
      const [, emoji, unspaced, word] = match;
      if (emoji !== undefined) {
        add(hashRange(emoji, 0, emoji.length, EMOJI), EMOJI);
      } else if (unspaced !== undefined) {
        const chars = Array.from(unspaced);
        for (let i = 0; i < chars.length; i++) {
          const c = chars[i]!;
          add(hashRange(c, 0, c.length, UNIT), UNIT);
          const next = chars[i + 1];
          if (next !== undefined) {
            const pair = c + next;
            add(hashRange(pair, 0, pair.length, PAIR), PAIR);
          }
        }
      } else if (word !== undefined && !STOPWORDS.has(word)) {
        add(hashRange(word, 0, word.length, WORD), WORD);
        // n-grams of the word without diacritics, so "khong day" still meets "không dây".
        const bare = NON_ASCII.test(word) ? stripMarks(word) : word;
        const padded = `<${bare}>`;
        for (let i = 0; i + 3 <= padded.length; i++) add(hashRange(padded, i, i + 3, TRIGRAM), TRIGRAM);
        for (let i = 0; i + 4 <= padded.length; i++) add(hashRange(padded, i, i + 4, FOURGRAM), FOURGRAM);
      }
    }

    const vector = new Float32Array(this.dimension);
    if (features.size === 0) {
      // Empty or punctuation-only text still gets a unit vector (COSINE in Milvus needs a non-zero one).
      vector[hashRange('', 0, 0, UNIT) % this.dimension] = 1;
      return vector;
    }
    for (let i = 0; i < features.size; i++) {
      const slot = features.used[i]!;
      const hash = features.keys[slot]!;
      const weight = features.weights[slot]! * (1 + Math.log(features.counts[slot]!));
      const bucket = (hash >>> 1) % this.dimension;
      vector[bucket]! += hash & 1 ? weight : -weight;
    }
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) {
      // Every feature cancelled out against another in its bucket: fall back to the empty-text vector.
      vector[hashRange('', 0, 0, UNIT) % this.dimension] = 1;
      return vector;
    }
    for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
    return vector;
  }
}

/** hash → (count, weight), open addressing with linear probing; key 0 marks an empty slot. */
class FeatureTable {
  keys = new Uint32Array(1024);
  counts = new Uint32Array(1024);
  weights = new Float32Array(1024);
  used = new Uint32Array(512);
  size = 0;

  clear(): void {
    for (let i = 0; i < this.size; i++) this.keys[this.used[i]!] = 0;
    this.size = 0;
  }

  add(hash: number, weight: number): void {
    const key = hash === 0 ? 1 : hash;
    const mask = this.keys.length - 1;
    let slot = key & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) {
        this.counts[slot]!++;
        return;
      }
      if (k === 0) break;
      slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.counts[slot] = 1;
    this.weights[slot] = weight;
    this.used[this.size++] = slot;
    if (this.size * 2 >= this.keys.length) this.grow();
  }

  private grow(): void {
    const { keys, counts, weights, size, used } = this;
    const capacity = keys.length * 2;
    this.keys = new Uint32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.used = new Uint32Array(capacity / 2);
    this.size = 0;
    const mask = capacity - 1;
    for (let i = 0; i < size; i++) {
      const from = used[i]!;
      let slot = keys[from]! & mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = keys[from]!;
      this.counts[slot] = counts[from]!;
      this.weights[slot] = weights[from]!;
      this.used[this.size++] = slot;
    }
  }
}

function stripMarks(word: string): string {
  return word.normalize('NFD').replace(MARKS, '').replace(/đ/g, 'd').normalize('NFC');
}

/** FNV-1a over UTF-16 units of text[start, end), seeded per feature kind, then murmur3's fmix32. */
function hashRange(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
