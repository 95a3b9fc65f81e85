import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmbedRequest } from '@freshet/schemas';
import { resolveVectors, type VectorSources } from './vectors.js';

function req(
  productId: string,
  text: string | null,
  hash: string | null,
  type: EmbedRequest['type'] = 'UPDATE',
): EmbedRequest {
  return {
    eventId: `${productId}-${hash}`,
    type,
    productId,
    version: 1,
    occurredAt: 0,
    product: null,
    price: null,
    stock: null,
    locale: null,
    text,
    contentHash: hash,
    templateVersion: 2,
    routedAt: 0,
  };
}

function sources(
  over: Partial<VectorSources> & { embedded?: string[][]; lookups?: string[][] } = {},
): VectorSources & {
  embedded: string[][];
  lookups: string[][];
} {
  const embedded = over.embedded ?? [];
  const lookups = over.lookups ?? [];
  return {
    embedded,
    lookups,
    cachedVector: over.cachedVector ?? (() => undefined),
    indexedHash: over.indexedHash ?? (() => undefined),
    lookupIndexed:
      over.lookupIndexed ??
      (async (ids) => {
        lookups.push(ids);
        return new Map();
      }),
    embed: async (texts) => {
      embedded.push(texts);
      return texts.map((t) => Float32Array.from([t.length, 1]));
    },
  };
}

test('unchanged text already indexed for the product is not embedded', async () => {
  const s = sources({
    lookupIndexed: async () => new Map([['p1', { contentHash: 'h1', vector: Float32Array.from([9, 9]) }]]),
  });
  const out = await resolveVectors([req('p1', 'same text', 'h1')], s);
  assert.deepEqual(s.embedded, []);
  assert.deepEqual([...out.byHash.get('h1')!], [9, 9]);
  assert.equal(out.indexedHits, 1);
});

test('a cached vector needs neither Milvus nor the API', async () => {
  const s = sources({ cachedVector: (h) => (h === 'h1' ? Float32Array.from([1, 2]) : undefined) });
  const out = await resolveVectors([req('p1', 'x', 'h1')], s);
  assert.deepEqual(s.embedded, []);
  assert.deepEqual(s.lookups, []);
  assert.equal(out.cacheHits, 1);
});

test('changed text is embedded once per distinct hash, and Milvus is skipped when the cached hash differs', async () => {
  const s = sources({ indexedHash: () => 'old' });
  const out = await resolveVectors(
    [req('p1', 'new', 'h2'), req('p2', 'new', 'h2'), req('p3', 'other', 'h3')],
    s,
  );
  assert.deepEqual(s.lookups, []);
  assert.deepEqual(s.embedded, [['new', 'other']]);
  assert.equal(out.embedded, 2);
});

test('price, stock and delete requests need no vector at all', async () => {
  const s = sources();
  const out = await resolveVectors(
    [req('p1', null, null, 'PRICE_CHANGE'), req('p1', null, null, 'DELETE')],
    s,
  );
  assert.deepEqual(s.embedded, []);
  assert.deepEqual(s.lookups, []);
  assert.equal(out.byHash.size, 0);
});

test('a Milvus lookup failure falls back to embedding', async () => {
  const errors: unknown[] = [];
  const s = sources({
    lookupIndexed: async () => {
      throw new Error('milvus down');
    },
  });
  const out = await resolveVectors([req('p1', 'text', 'h1')], s, (e) => errors.push(e));
  assert.equal(errors.length, 1);
  assert.equal(out.embedded, 1);
});

test('Milvus is asked for a vector only where the indexed hash is the wanted one', async () => {
  const asked: Array<[string, string, boolean]> = [];
  const s = sources({
    lookupIndexed: async (ids, wanted) => {
      // What Milvus holds: p1 with the same text, p2 with an older text (its vector is of no use).
      const held = new Map([
        ['p1', 'h1'],
        ['p2', 'h2-old'],
      ]);
      const out = new Map<string, { contentHash: string; vector?: Float32Array }>();
      for (const id of ids) {
        const hash = held.get(id);
        if (hash === undefined) continue;
        const want = wanted(id, hash);
        asked.push([id, hash, want]);
        out.set(id, want ? { contentHash: hash, vector: Float32Array.from([7, 7]) } : { contentHash: hash });
      }
      return out;
    },
  });
  const out = await resolveVectors([req('p1', 'same', 'h1'), req('p2', 'edited', 'h2-new')], s);
  assert.deepEqual(asked, [
    ['p1', 'h1', true],
    ['p2', 'h2-old', false],
  ]);
  assert.deepEqual([...out.byHash.get('h1')!], [7, 7]);
  assert.deepEqual(s.embedded, [['edited']]);
  // The hash of what is indexed still warms the product cache.
  assert.equal(out.indexedHashes.get('p2'), 'h2-old');
});
