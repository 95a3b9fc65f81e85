import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import type { RowData } from '@zilliz/milvus2-sdk-node';
import { createMilvusClient } from './client.js';
import { createPhysical, describeAlias, dropAll, ensureCollection, swapAlias } from './collection.js';
import { MilvusRejectedError, MilvusUnavailableError } from './errors.js';
import { productFields, VECTOR_INDEX } from './layout.js';
import { describeIndexModel, ModelMismatchError } from './model-guard.js';
import { type ProductRow, toMilvusRow } from './rows.js';
import { filterExpression, searchProducts } from './search.js';
import {
  allRows,
  deleteRows,
  fetchIndexedVectors,
  getRows,
  loadStates,
  partialUpdate,
  upsertRows,
  upsertRowsIsolating,
  upsertTombstones,
} from './store.js';

const client = createMilvusClient({ address: process.env.FRESHET_MILVUS_ADDRESS ?? '127.0.0.1:19530' });
const aliases: string[] = [];
function alias(): string {
  const a = `it_${randomBytes(4).toString('hex')}`;
  aliases.push(a);
  return a;
}
after(async () => {
  for (const a of aliases) await dropAll(client, a);
  await client.closeConnection();
});

function row(id: string, vector: number[], over: Partial<ProductRow> = {}): ProductRow {
  return {
    productId: id,
    vector,
    title: `title ${id}`,
    category: 'audio',
    brand: 'acme',
    priceMinor: 1000,
    currency: 'USD',
    stock: 3,
    version: 1,
    contentHash: `h-${id}`,
    model: 'test',
    occurredAt: 1,
    indexedAt: 2,
    ...over,
  };
}

test('ensureCollection is idempotent, safe when raced, and refuses a different dimension', async () => {
  const a = alias();
  const [one, two] = await Promise.all([
    ensureCollection(client, { alias: a, dimension: 4 }),
    ensureCollection(client, { alias: a, dimension: 4 }),
  ]);
  assert.equal(one.physical, `${a}_v1`);
  assert.equal(two.physical, `${a}_v1`);
  const again = await ensureCollection(client, { alias: a, dimension: 4 });
  assert.equal(again.created, false);
  await assert.rejects(ensureCollection(client, { alias: a, dimension: 8 }), (e: unknown) => {
    assert.ok(e instanceof MilvusRejectedError);
    assert.equal(e.code, 'FRESHET_DIMENSION_MISMATCH');
    return true;
  });
});

test('a collection belongs to one model: another model, dimension or template is refused naming both and the way out', async () => {
  const a = alias();
  const small = { model: 'text-embedding-3-small', dimension: 4, templateVersion: 1 };
  const made = await ensureCollection(client, { alias: a, dimension: 4, model: small, who: 'the writer' });
  assert.equal((await describeAlias(client, a))?.model?.model, 'text-embedding-3-small');
  assert.equal(made.adopted, false);
  // The same model again: fine.
  assert.equal(
    (await ensureCollection(client, { alias: a, dimension: 4, model: small })).physical,
    made.physical,
  );
  for (const other of [
    { model: 'freshet-local-v1', dimension: 4, templateVersion: 1 },
    { model: 'text-embedding-3-small', dimension: 8, templateVersion: 1 },
    { model: 'text-embedding-3-small', dimension: 4, templateVersion: 2 },
  ]) {
    await assert.rejects(
      ensureCollection(client, { alias: a, dimension: other.dimension, model: other, who: 'the writer' }),
      (e: unknown) => {
        assert.ok(e instanceof ModelMismatchError);
        assert.equal(e.code, 'FRESHET_MODEL_MISMATCH');
        assert.equal(e.canRetry, false);
        assert.match(e.message, /holds vectors of text-embedding-3-small \(4 dimensions, template 1\)/);
        assert.ok(e.message.includes(`the writer is configured for ${describeIndexModel(other)}`), e.message);
        assert.match(
          e.message,
          new RegExp(`freshet reindex --model ${other.model} --dimensions ${other.dimension}`),
        );
        assert.match(e.message, /FRESHET_COLLECTION/);
        return true;
      },
    );
  }
});

test('a collection without a recorded model is adopted when its rows are of the configured model, refused when they are not', async () => {
  const a = alias();
  // The older layout: made without the freshet.model property.
  await ensureCollection(client, { alias: a, dimension: 4 });
  assert.equal((await describeAlias(client, a))?.model, null);
  await upsertRows(client, a, [row('p1', [1, 0, 0, 0], { model: 'text-embedding-3-small' })]);
  await assert.rejects(
    ensureCollection(client, {
      alias: a,
      dimension: 4,
      model: { model: 'freshet-local-v1', dimension: 4, templateVersion: 1 },
    }),
    (e: unknown) => {
      assert.ok(e instanceof ModelMismatchError);
      assert.match(e.message, /holds vectors of text-embedding-3-small \(4 dimensions\)/);
      return true;
    },
  );
  assert.equal((await describeAlias(client, a))?.model, null, 'nothing recorded on a refusal');
  const small = { model: 'text-embedding-3-small', dimension: 4, templateVersion: 1 };
  const adopted = await ensureCollection(client, { alias: a, dimension: 4, model: small });
  assert.equal(adopted.adopted, true);
  assert.deepEqual((await describeAlias(client, a))?.model, small);
  assert.equal((await ensureCollection(client, { alias: a, dimension: 4, model: small })).adopted, false);
});

test('a collection of an older layout (no source_offset) is refused by name', async () => {
  const a = alias();
  await ensureCollection(client, { alias: a, dimension: 4 });
  const old = `${a}_old`;
  await client.createCollection({
    collection_name: old,
    fields: productFields(4).filter((f) => f.name !== 'source_offset'),
    index_params: [{ ...VECTOR_INDEX }],
  });
  await client.alterAlias({ alias: a, collection_name: old });
  await assert.rejects(ensureCollection(client, { alias: a, dimension: 4 }), (e: unknown) => {
    assert.ok(e instanceof MilvusRejectedError);
    assert.equal(e.code, 'FRESHET_MILVUS_LAYOUT');
    assert.match(e.message, /source_offset/);
    return true;
  });
  await client.dropAlias({ alias: a });
  await client.dropCollection({ collection_name: old });
});

test('vectors reach Milvus bit for bit: Float32Array rows as bytes (patched SDK), number rows as numbers, in row order', async () => {
  // The patch is there (a dependency bump that drops it would quietly fall back to number arrays).
  const sdkGrpc = createRequire(import.meta.url)('@zilliz/milvus2-sdk-node/dist/milvus/utils/Grpc.js') as {
    rawFloatRows?: unknown;
  };
  assert.equal(typeof sdkGrpc.rawFloatRows, 'function', 'patches/@zilliz__milvus2-sdk-node is applied');
  const a = alias();
  const dimension = 384;
  await ensureCollection(client, { alias: a, dimension });
  // Awkward floats on purpose: negatives, tiny and huge magnitudes, values a decimal round trip would change.
  const vectorOf = (i: number) =>
    Float32Array.from({ length: dimension }, (_, d) => Math.sin(i * 7919 + d * 104729) * 10 ** ((d % 9) - 4));
  const rows = Array.from({ length: 300 }, (_, i) =>
    row(`v${String(i).padStart(3, '0')}`, [], { vector: vectorOf(i) }),
  );
  await upsertRows(client, a, rows);
  // The SDK straight, rows mixing number arrays and Float32Arrays: the array rows take the SDK's own path
  // from the first of them on, and every row keeps its own vector.
  const mixedIds = Array.from({ length: 6 }, (_, i) => `m${i}`);
  const mixed = mixedIds.map((id, i) => {
    const milvusRow: RowData = toMilvusRow({
      ...rows[i]!,
      productId: id,
      vector: vectorOf(1000 + i),
    });
    if (i % 3 === 1) milvusRow.embedding = Array.from(vectorOf(1000 + i));
    return milvusRow;
  });
  await client.upsert({ collection_name: a, data: mixed });
  const stored = new Map(
    (await getRows(client, a, [...rows.map((r) => r.productId), ...mixedIds])).map((r) => [
      r.productId,
      Float32Array.from(r.vector),
    ]),
  );
  assert.equal(stored.size, 306);
  for (const [i, r] of rows.entries()) assert.deepEqual(stored.get(r.productId), vectorOf(i), r.productId);
  for (let i = 0; i < 6; i++) assert.deepEqual(stored.get(`m${i}`), vectorOf(1000 + i), `m${i}`);
  // And the index searches those vectors: each row is its own nearest neighbour.
  for (const i of [0, 149, 299]) {
    const hits = await searchProducts(client, a, vectorOf(i), { k: 1 });
    assert.equal(hits[0]?.productId, rows[i]!.productId);
  }
});

test('upsert, partial price/stock update through the alias keeps the vector, delete, tombstones', async () => {
  const a = alias();
  await ensureCollection(client, { alias: a, dimension: 4 });
  await upsertRows(client, a, [
    row('p1', [1, 0, 0, 0]),
    row('p2', [0, 1, 0, 0], { priceMinor: null, stock: null, category: null }),
  ]);
  await partialUpdate(client, a, [
    {
      productId: 'p1',
      version: 2,
      occurredAt: 5,
      indexedAt: 6,
      sourceOffset: 41,
      priceMinor: 250,
      currency: 'EUR',
    },
  ]);
  await partialUpdate(client, a, [{ productId: 'p1', version: 3, occurredAt: 7, indexedAt: 8, stock: 0 }]);
  const [p1, p2] = await getRows(client, a, ['p1', 'p2']).then((rows) =>
    rows.sort((x, y) => x.productId.localeCompare(y.productId)),
  );
  assert.deepEqual(Array.from(p1!.vector), [1, 0, 0, 0]);
  assert.equal(p1!.priceMinor, 250);
  assert.equal(p1!.currency, 'EUR');
  assert.equal(p1!.stock, 0);
  assert.equal(p1!.version, 3);
  assert.equal(p1!.title, 'title p1');
  assert.equal(p2!.priceMinor, null);
  assert.equal(p2!.category, null);
  await upsertTombstones(client, a, [{ productId: 'p2', version: 9, deletedAt: 10 }]);
  await deleteRows(client, a, ['p2']);
  const states = await loadStates(client, a, ['p1', 'p2', 'p3']);
  // The second partial update named no offset: the row keeps the first one's.
  // The row's price and stock come with its state (the writer names them all in a partial update).
  const none = { priceMinor: null, currency: null, stock: null };
  assert.deepEqual(states.get('p1'), {
    rowVersion: 3,
    tombstoneVersion: null,
    rowSourceOffset: 41,
    priceMinor: 250,
    currency: 'EUR',
    stock: 0,
  });
  assert.deepEqual(states.get('p2'), {
    rowVersion: null,
    tombstoneVersion: 9,
    rowSourceOffset: null,
    ...none,
  });
  assert.deepEqual(states.get('p3'), {
    rowVersion: null,
    tombstoneVersion: null,
    rowSourceOffset: null,
    ...none,
  });
  const vectors = await fetchIndexedVectors(client, a, ['p1']);
  assert.equal(vectors.get('p1')?.contentHash, 'h-p1');
  assert.equal(vectors.get('p1')?.vector?.length, 4);
  // Only the hash when the caller has no use for the vector (an edited text).
  const hashOnly = await fetchIndexedVectors(client, a, ['p1', 'p2'], (_, hash) => hash === 'other');
  assert.deepEqual([...hashOnly.keys()], ['p1']);
  assert.equal(hashOnly.get('p1')?.contentHash, 'h-p1');
  assert.equal(hashOnly.get('p1')?.vector, undefined);
  assert.deepEqual(
    (await allRows(client, a)).map((r) => r.productId),
    ['p1'],
  );
});

test('search filters by price and stock and ranks by cosine similarity', async () => {
  const a = alias();
  await ensureCollection(client, { alias: a, dimension: 4 });
  await upsertRows(client, a, [
    row('near', [1, 0.1, 0, 0], { priceMinor: 900 }),
    row('nearer-but-expensive', [1, 0, 0, 0], { priceMinor: 5000 }),
    row('near-out-of-stock', [1, 0.05, 0, 0], { stock: 0 }),
    row('far', [0, 0, 1, 0], { priceMinor: 100 }),
  ]);
  const hits = await searchProducts(client, a, [1, 0, 0, 0], { k: 3, maxPriceMinor: 1000, inStock: true });
  assert.deepEqual(
    hits.map((h) => h.productId),
    ['near', 'far'],
  );
  assert.ok(hits[0]!.score > hits[1]!.score);
  assert.equal(filterExpression({ category: 'a"b' }), 'category == "a\\"b"');
});

test('a wrong-dimension row is isolated from its batch and rejected alone', async () => {
  const a = alias();
  await ensureCollection(client, { alias: a, dimension: 4 });
  const rows = Array.from({ length: 50 }, (_, i) => row(`r${i}`, [1, i, 0, 0]));
  rows[17] = row('r17', [1, 2, 3]);
  const { rejected } = await upsertRowsIsolating(client, a, rows);
  assert.deepEqual(
    rejected.map((r) => r.row.productId),
    ['r17'],
  );
  assert.ok(rejected[0]!.error instanceof MilvusRejectedError);
  assert.equal((await allRows(client, a)).length, 49);
});

test('the alias swaps to a new physical collection atomically', async () => {
  const a = alias();
  await ensureCollection(client, { alias: a, dimension: 4 });
  await upsertRows(client, a, [row('old', [1, 0, 0, 0])]);
  await createPhysical(client, `${a}_v2`, 4);
  await upsertRows(client, `${a}_v2`, [row('new', [1, 0, 0, 0])]);
  await swapAlias(client, a, `${a}_v2`);
  assert.equal((await describeAlias(client, a))?.physical, `${a}_v2`);
  const hits = await searchProducts(client, a, [1, 0, 0, 0], { k: 5 });
  assert.deepEqual(
    hits.map((h) => h.productId),
    ['new'],
  );
});

test('an unreachable Milvus is reported as unavailable (retry), not rejected (DLQ)', async () => {
  const down = createMilvusClient({ address: '127.0.0.1:1', timeoutMs: 1500 });
  await assert.rejects(loadStates(down, 'x', ['a']), (e: unknown) => e instanceof MilvusUnavailableError);
});
