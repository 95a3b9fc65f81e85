import { absentState } from '@freshet/milvus';
import { Counter, type Registry } from '@freshet/telemetry';
import type { IndexedState } from './collapse.js';
import type { WriterStore, WriteSet } from './store.js';

export interface StateCacheOptions {
  /** Products remembered (least recently used go first); 0 turns the cache off. */
  maxEntries: number;
  /**
   * How long after the last sign of group membership (a join, a heartbeat) cached states are trusted. A
   * member that stalled past its session may have lost its partitions to another writer, whose writes
   * this cache cannot see: keep it well below the session timeout.
   */
  trustMs: number;
  clock?: () => number;
  onLookup?: (hits: number, misses: number) => void;
  onInvalidate?: (reason: string) => void;
}

/**
 * The writer's store with a cache of the version guard's state (row version, tombstone version, source
 * offset) of the products it wrote or read, so a group's state read goes to Milvus only for the products
 * it does not know (every Milvus call costs a round trip, ~10–20 ms on Milvus Lite; the bench's writer spent
 * a fifth of each group on that read).
 *
 * Sound only while this writer is the one writing its partitions' products: partitions hold disjoint
 * products, so the cache is dropped whenever the assignment may have changed (`invalidate` on every group
 * join, and by itself when membership was not confirmed within `trustMs`), a product's entry is dropped
 * when a write of it failed or was refused (Milvus may or may not hold it), and a read or write that
 * started before an invalidation does not fill the cache after it.
 */
export class StateCachingStore implements WriterStore {
  private readonly states = new Map<string, IndexedState>();
  private epoch = 0;
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    private readonly inner: WriterStore,
    private readonly options: StateCacheOptions,
  ) {
    this.now = options.clock ?? Date.now;
  }

  /** Forgets every state (the partitions may have moved). */
  invalidate(reason: string): void {
    this.epoch += 1;
    if (this.states.size > 0) this.options.onInvalidate?.(reason);
    this.states.clear();
  }

  /** The group joined: the assignment may be new, so start over, then trust what follows. */
  joined(): void {
    this.invalidate('group join');
    this.confirmedAt = this.now();
  }

  /** A heartbeat was answered: this member still holds its assignment. */
  confirmed(): void {
    this.confirmedAt = this.now();
  }

  get size(): number {
    return this.states.size;
  }

  async loadStates(productIds: string[]): Promise<Map<string, IndexedState>> {
    if (this.now() - this.confirmedAt > this.options.trustMs) this.invalidate('membership not confirmed');
    const epoch = this.epoch;
    const out = new Map<string, IndexedState>();
    const misses: string[] = [];
    for (const id of productIds) {
      const state = this.states.get(id);
      if (state) {
        // Map order is the LRU order: touch it.
        this.states.delete(id);
        this.states.set(id, state);
        out.set(id, { ...state });
      } else misses.push(id);
    }
    this.options.onLookup?.(productIds.length - misses.length, misses.length);
    if (misses.length === 0) return out;
    const read = await this.inner.loadStates(misses);
    for (const id of misses) {
      const state = read.get(id) ?? absentState();
      out.set(id, state);
      if (epoch === this.epoch) this.remember(id, { ...state });
    }
    return out;
  }

  async apply(set: WriteSet): Promise<Awaited<ReturnType<WriterStore['apply']>>> {
    const epoch = this.epoch;
    const ids = [
      ...set.upserts.map((r) => r.productId),
      ...set.partials.map((r) => r.productId),
      ...set.deletes.map((r) => r.productId),
    ];
    let result: Awaited<ReturnType<WriterStore['apply']>>;
    try {
      result = await this.inner.apply(set);
    } catch (error) {
      // Part of the set may have been applied: Milvus is the only one who knows now.
      for (const id of ids) this.states.delete(id);
      throw error;
    }
    if (epoch !== this.epoch) {
      // Invalidated meanwhile: a read since then may have cached a state from before this write landed.
      for (const id of ids) this.states.delete(id);
      return result;
    }
    // What each product's row and tombstone are now (see collapseByVersion's plans). Only entries read
    // before in this epoch are updated: the tombstone, for one, is known only from that read.
    for (const r of set.upserts)
      this.afterWrite(r.productId, (s) => ({
        ...s,
        rowVersion: r.version,
        rowSourceOffset: r.sourceOffset,
        priceMinor: r.priceMinor,
        currency: r.currency,
        stock: r.stock,
      }));
    for (const r of set.partials)
      this.afterWrite(r.productId, (s) => ({
        ...s,
        ...r.fields,
        rowVersion: r.version,
        // A partial update without an offset leaves the stored one (see toMilvusPartial).
        rowSourceOffset: r.sourceOffset ?? s.rowSourceOffset ?? null,
      }));
    for (const r of set.deletes)
      this.afterWrite(r.productId, (s) => ({
        rowVersion: null,
        rowSourceOffset: null,
        tombstoneVersion: r.tombstoneVersion ?? s.tombstoneVersion,
        priceMinor: null,
        currency: null,
        stock: null,
      }));
    for (const r of result.rejected) this.states.delete(r.productId);
    return result;
  }

  private afterWrite(id: string, next: (state: IndexedState) => IndexedState): void {
    const state = this.states.get(id);
    if (state) this.remember(id, next(state));
  }

  private remember(id: string, state: IndexedState): void {
    if (this.options.maxEntries <= 0) return;
    this.states.delete(id);
    this.states.set(id, state);
    if (this.states.size > this.options.maxEntries) {
      const oldest = this.states.keys().next();
      if (!oldest.done) this.states.delete(oldest.value);
    }
  }
}

/** `freshet_writer_state_cache_total{outcome=hit|miss}` and `freshet_writer_state_cache_invalidations_total`. */
export function stateCacheMetrics(registry: Registry): Pick<StateCacheOptions, 'onLookup' | 'onInvalidate'> {
  const lookups = new Counter({
    name: 'freshet_writer_state_cache_total',
    help: 'Products whose version-guard state the writer found in its cache (hit) or read from Milvus (miss)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const invalidations = new Counter({
    name: 'freshet_writer_state_cache_invalidations_total',
    help: 'Times the writer dropped its state cache, by reason (group join, membership not confirmed)',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    onLookup(hits, misses) {
      if (hits > 0) lookups.inc({ outcome: 'hit' }, hits);
      if (misses > 0) lookups.inc({ outcome: 'miss' }, misses);
    },
    onInvalidate: (reason) => invalidations.inc({ reason }),
  };
}
