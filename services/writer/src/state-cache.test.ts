import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absentState } from '@freshet/milvus';
import type { IndexedState, PriceStock } from './collapse.js';
import { type StateCacheOptions, StateCachingStore } from './state-cache.js';
import type { RejectedRow, WriterRow, WriterStore, WriteSet } from './store.js';

const EMPTY: IndexedState = absentState();

/** An in-memory Milvus: what the writer's store would read back, and every state read it was asked. */
class MemoryStore implements WriterStore {
  readonly states = new Map<string, IndexedState>();
  readonly reads: string[][] = [];
  failNext: Error | undefined;
  reject = new Set<string>();
  /** When set, a write lands only once it resolves. */
  gate: Promise<void> | undefined;

  async loadStates(ids: string[]): Promise<Map<string, IndexedState>> {
    this.reads.push([...ids]);
    return new Map(ids.map((id) => [id, { ...this.state(id) }]));
  }

  async apply(set: WriteSet): Promise<{ rejected: RejectedRow[] }> {
    if (this.gate) await this.gate;
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      // Half applied, as an outage mid-set can leave it.
      for (const r of set.upserts.slice(0, 1)) this.write(r.productId, r.version, r.sourceOffset, r);
      throw error;
    }
    const rejected: RejectedRow[] = [];
    for (const r of set.upserts) {
      if (this.reject.has(r.productId)) rejected.push({ productId: r.productId, code: 'X', message: 'no' });
      else this.write(r.productId, r.version, r.sourceOffset, r);
    }
    for (const r of set.partials)
      this.write(
        r.productId,
        r.version,
        r.sourceOffset ?? this.state(r.productId).rowSourceOffset ?? null,
        r.fields,
      );
    for (const r of set.deletes) {
      const s = this.state(r.productId);
      this.states.set(r.productId, {
        ...EMPTY,
        tombstoneVersion: r.tombstoneVersion ?? s.tombstoneVersion,
      });
    }
    return { rejected };
  }

  private state(id: string): IndexedState {
    return this.states.get(id) ?? EMPTY;
  }

  private write(id: string, version: number, offset: number | null, fields: PriceStock): void {
    const { priceMinor, currency, stock } = { ...this.state(id), ...fields };
    this.states.set(id, {
      ...this.state(id),
      rowVersion: version,
      rowSourceOffset: offset,
      priceMinor: priceMinor ?? null,
      currency: currency ?? null,
      stock: stock ?? null,
    });
  }
}

const upsert = (productId: string, version: number, sourceOffset: number | null = null): WriterRow => ({
  productId,
  vector: new Float32Array(2),
  title: '',
  category: null,
  brand: null,
  priceMinor: null,
  currency: null,
  stock: null,
  version,
  contentHash: '',
  model: '',
  occurredAt: 0,
  indexedAt: 0,
  sourceOffset,
});
const set = (over: Partial<WriteSet>): WriteSet => ({ upserts: [], partials: [], deletes: [], ...over });

function cached(options: Partial<StateCacheOptions> = {}) {
  const inner = new MemoryStore();
  let now = 0;
  const counts = { hits: 0, misses: 0, invalidations: [] as string[] };
  const store = new StateCachingStore(inner, {
    maxEntries: 100,
    trustMs: 1000,
    clock: () => now,
    onLookup(hits, misses) {
      counts.hits += hits;
      counts.misses += misses;
    },
    onInvalidate: (reason) => counts.invalidations.push(reason),
    ...options,
  });
  store.joined();
  return { inner, store, counts, advance: (ms: number) => (now += ms) };
}

test('a product read or written once is not read from Milvus again; only unknown ones are', async () => {
  const { inner, store, counts } = cached();
  inner.states.set('a', { ...EMPTY, rowVersion: 3, rowSourceOffset: 7 });
  assert.deepEqual((await store.loadStates(['a', 'b'])).get('a'), {
    ...EMPTY,
    rowVersion: 3,
    rowSourceOffset: 7,
  });
  await store.apply(set({ upserts: [upsert('b', 1, 9)] }));
  const again = await store.loadStates(['a', 'b', 'c']);
  assert.deepEqual(inner.reads, [['a', 'b'], ['c']]);
  assert.deepEqual(again.get('b'), { ...EMPTY, rowVersion: 1, rowSourceOffset: 9 });
  assert.deepEqual(again.get('c'), EMPTY);
  assert.deepEqual(counts, { hits: 2, misses: 3, invalidations: [] });
});

test('after each kind of write the cache holds what Milvus holds, the tombstone kept across a re-create', async () => {
  const { inner, store } = cached();
  const ids = ['a', 'b', 'c'];
  await store.loadStates(ids);
  await store.apply(
    set({ upserts: [upsert('a', 1, 10)], deletes: [{ productId: 'b', tombstoneVersion: 4, deletedAt: 0 }] }),
  );
  await store.loadStates(ids);
  await store.apply(
    set({
      upserts: [upsert('b', 5, 12)],
      partials: [
        { productId: 'a', fields: { stock: 2 }, version: 2, occurredAt: 0, indexedAt: 0, sourceOffset: 11 },
      ],
      deletes: [{ productId: 'c', tombstoneVersion: null, deletedAt: 0 }],
    }),
  );
  const fromCache = await store.loadStates(ids);
  assert.equal(inner.reads.length, 1, 'every state after the first read came from the cache');
  assert.deepEqual(fromCache, await inner.loadStates(ids));
  assert.deepEqual(fromCache.get('b'), { ...EMPTY, rowVersion: 5, tombstoneVersion: 4, rowSourceOffset: 12 });
  assert.deepEqual(fromCache.get('a'), { ...EMPTY, rowVersion: 2, rowSourceOffset: 11, stock: 2 });
});

test('a failed write forgets its products (Milvus may hold part of it); a refused row is forgotten too', async () => {
  const { inner, store } = cached();
  await store.loadStates(['a', 'b', 'c']);
  inner.failNext = new Error('milvus down');
  await assert.rejects(store.apply(set({ upserts: [upsert('a', 1), upsert('b', 1)] })), /milvus down/);
  inner.reject.add('c');
  await store.apply(set({ upserts: [upsert('c', 1)] }));
  inner.reads.length = 0;
  const states = await store.loadStates(['a', 'b', 'c']);
  assert.deepEqual(inner.reads, [['a', 'b', 'c']]);
  assert.equal(states.get('a')?.rowVersion, 1, 'read back from Milvus: the half-applied write is seen');
  assert.equal(states.get('b')?.rowVersion, null);
});

test('a group join drops everything, and a read begun before it does not fill the cache after it', async () => {
  const { inner, store, counts } = cached();
  await store.loadStates(['a']);
  store.joined();
  assert.equal(store.size, 0);
  const racing = store.loadStates(['b']);
  store.joined(); // the read above is still in flight
  await racing;
  assert.equal(store.size, 0);
  await store.loadStates(['a']);
  assert.deepEqual(inner.reads, [['a'], ['b'], ['a']]);
  assert.deepEqual(counts.invalidations, ['group join']);
});

test('a write begun before an invalidation leaves none of its products cached', async () => {
  const { inner, store } = cached();
  await store.loadStates(['a']);
  let land!: () => void;
  inner.gate = new Promise((resolve) => {
    land = resolve;
  });
  const writing = store.apply(set({ upserts: [upsert('a', 2)] }));
  store.joined();
  // Read after the join, before the write landed: Milvus still says no row.
  assert.equal((await store.loadStates(['a'])).get('a')?.rowVersion, null);
  land();
  await writing;
  assert.equal((await store.loadStates(['a'])).get('a')?.rowVersion, 2, 'read again, not the stale answer');
  assert.equal(inner.reads.length, 3);
});

test('without a heartbeat within trustMs the cache is dropped and states are read again', async () => {
  const { inner, store, counts, advance } = cached();
  await store.loadStates(['a']);
  advance(900);
  store.confirmed();
  advance(900);
  await store.loadStates(['a']);
  assert.equal(inner.reads.length, 1, 'confirmed 900 ms ago: still trusted');
  advance(1100);
  await store.loadStates(['a']);
  assert.equal(inner.reads.length, 2);
  assert.deepEqual(counts.invalidations, ['membership not confirmed']);
});

test('before the first join nothing is trusted, and the least recently used product goes first', async () => {
  const inner = new MemoryStore();
  const store = new StateCachingStore(inner, { maxEntries: 2, trustMs: 1000, clock: () => 0 });
  await store.loadStates(['a']);
  await store.loadStates(['a']);
  assert.equal(inner.reads.length, 2, 'never joined: every read goes to Milvus');
  store.joined();
  await store.loadStates(['a', 'b']);
  await store.loadStates(['a']); // touch a: b is now the oldest
  await store.loadStates(['c']);
  inner.reads.length = 0;
  await store.loadStates(['a', 'b', 'c']);
  assert.deepEqual(inner.reads, [['b']]);
  const off = new StateCachingStore(inner, { maxEntries: 0, trustMs: 1000, clock: () => 0 });
  off.joined();
  await off.loadStates(['a']);
  await off.loadStates(['a']);
  assert.equal(off.size, 0);
});
