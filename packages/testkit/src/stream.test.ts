import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHash, embeddingText, type Product, type ProductEvent } from '@freshet/schemas';
import { generateCatalog, productLanguage } from './catalog.js';
import { buildOracle, IndexFold } from './oracle.js';
import { catalogEvents, DEFAULT_MIX, generateEvents, itemKey, type StreamItem } from './stream.js';

const NOW = 1_750_000_000_000;
const textOf = (p: Product) =>
  embeddingText(p, { templateVersion: 1, attributes: ['color', 'material', 'size', 'model'] });
const TEXT = {
  embeddingText: textOf,
  contentHash: (t: string) => contentHash(t, { model: 'm', dimension: 8, templateVersion: 1 }),
};
const events = (items: readonly StreamItem[]) => items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));

describe('event stream', () => {
  // One big default stream shared by the statistical tests (DESIGN §8 mix over 100k events).
  const big = generateEvents({ seed: 7, catalogSize: 10_000, count: 100_000, now: NOW });

  test('the same seed gives the same stream; another seed another', () => {
    const options = {
      seed: 3,
      catalogSize: 500,
      count: 2_000,
      now: NOW,
      outOfOrder: 0.05,
      duplicates: 0.05,
      tombstones: 0.01,
      badInputs: 0.01,
    };
    const a = generateEvents(options);
    const b = generateEvents(options);
    assert.deepEqual(
      a.map((i) => (i.kind === 'bad' ? { ...i.input, value: null } : i)),
      b.map((i) => (i.kind === 'bad' ? { ...i.input, value: null } : i)),
    );
    assert.notDeepEqual(events(generateEvents({ ...options, seed: 4 })), events(a));
    assert.equal(a.length, 2_000);
  });

  test('the default mix is DESIGN §8’s within half a percentage point over 100k events', () => {
    assert.equal(big.length, 100_000);
    const counts: Record<string, number> = {};
    for (const e of events(big)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    const share = (type: string) => (counts[type] ?? 0) / big.length;
    assert.ok(Math.abs(share('PRICE_CHANGE') + share('STOCK_UPDATE') - 0.7) < 0.005, JSON.stringify(counts));
    assert.ok(Math.abs(share('PRICE_CHANGE') - DEFAULT_MIX.price) < 0.005);
    assert.ok(Math.abs(share('UPDATE') - 0.2) < 0.005);
    assert.ok(Math.abs(share('CREATE') - 0.07) < 0.005);
    assert.ok(Math.abs(share('DELETE') - 0.03) < 0.005);
  });

  test('product ids are Zipf-skewed: the top 1% of ids get most of the events', () => {
    const perProduct = new Map<string, number>();
    for (const e of events(big)) perProduct.set(e.productId, (perProduct.get(e.productId) ?? 0) + 1);
    const counts = [...perProduct.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(perProduct.size / 100)).reduce((a, b) => a + b, 0);
    assert.ok(top / big.length > 0.4, `top 1% of ids got ${((100 * top) / big.length).toFixed(1)}%`);
    // A uniform pick would give the top 1% of 10k products ~1–2% of 100k events.
  });

  test('versions increase by one per product; creates of new products start at 1', () => {
    const max = new Map<string, number>();
    for (const e of events(big)) {
      const previous = max.get(e.productId);
      if (previous === undefined) {
        if (e.type === 'CREATE') assert.equal(e.version, 1);
        else assert.equal(e.version, 2, `${e.productId}: the catalog is at version 1`);
      } else assert.equal(e.version, previous + 1, e.productId);
      max.set(e.productId, e.version);
    }
  });

  test('occurredAt is close to now and in produce order', () => {
    const times = events(big).map((e) => e.occurredAt);
    assert.equal(times[0], NOW);
    assert.ok(times.every((t, i) => i === 0 || t > (times[i - 1] as number)));
    assert.ok((times.at(-1) as number) - NOW <= 100_000);
  });

  test('edited and created products carry all languages', () => {
    const languages = new Set(events(big).flatMap((e) => (e.product ? [productLanguage(e.product)] : [])));
    assert.deepEqual([...languages].sort(), ['en', 'vi', 'zh']);
  });

  test('a text edit changes the embedding text; price and stock changes never carry text', () => {
    const state = new Map<string, Product>();
    const catalog = generateCatalog({ count: 2_000, seed: 5 });
    for (const e of catalog) state.set(e.productId, e.product);
    for (const e of events(generateEvents({ seed: 5, catalogSize: 2_000, count: 20_000, now: NOW }))) {
      if (e.type === 'UPDATE') {
        const previous = state.get(e.productId);
        assert.ok(previous && e.product);
        assert.notEqual(textOf(e.product), textOf(previous), `${e.productId} v${e.version}`);
      }
      if (e.type === 'PRICE_CHANGE') assert.ok(e.price && !e.product && e.stock === null);
      if (e.type === 'STOCK_UPDATE') assert.ok(e.stock !== null && e.stock >= 0 && !e.product && !e.price);
      if (e.type === 'DELETE') assert.ok(!e.product && !e.price && e.stock === null);
      if (e.product) state.set(e.productId, e.product);
      if (e.type === 'PRICE_CHANGE' && e.price)
        state.set(e.productId, { ...(state.get(e.productId) as Product), price: e.price });
    }
  });
});

describe('injected trouble', () => {
  const fractions = {
    outOfOrder: 0.05,
    duplicates: 0.03,
    unchangedTextUpdates: 0.03,
    deleteThenOlderUpdate: 0.01,
    deleteThenNewerCreate: 0.01,
    tombstones: 0.01,
    badInputs: 0.01,
  };
  const items = generateEvents({ seed: 11, catalogSize: 5_000, count: 50_000, now: NOW, ...fractions });

  test('each kind of trouble is about the fraction asked for', () => {
    const count = (p: (i: StreamItem) => boolean) => items.filter(p).length / items.length;
    const tagged = (tag: string) => count((i) => i.kind === 'event' && i.injected === tag);
    const near = (actual: number, wanted: number, name: string) =>
      assert.ok(Math.abs(actual - wanted) < wanted * 0.15 + 0.001, `${name}: ${actual} vs ${wanted}`);
    near(tagged('late'), fractions.outOfOrder, 'late');
    near(tagged('duplicate'), fractions.duplicates, 'duplicates');
    near(tagged('unchangedText'), fractions.unchangedTextUpdates, 'unchanged text');
    near(tagged('deleteThenOlderUpdate') / 2, fractions.deleteThenOlderUpdate, 'delete then older update');
    near(tagged('deleteThenNewerCreate') / 2, fractions.deleteThenNewerCreate, 'delete then newer create');
    near(
      count((i) => i.kind === 'tombstone'),
      fractions.tombstones,
      'tombstones',
    );
    near(
      count((i) => i.kind === 'bad'),
      fractions.badInputs,
      'bad inputs',
    );
  });

  test('versions only go down for injected late events, older updates after a delete, and duplicates', () => {
    const max = new Map<string, number>();
    const seen = new Set<string>();
    let lower = 0;
    for (const item of items) {
      if (item.kind !== 'event') continue;
      const e = item.event;
      const previous = max.get(e.productId) ?? (Number(e.productId.slice(2)) < 5_000 ? 1 : 0);
      if (e.version <= previous) {
        lower += 1;
        const duplicate = seen.has(e.eventId);
        assert.ok(
          item.injected === 'late' ||
            (item.injected === 'deleteThenOlderUpdate' && e.type === 'UPDATE') ||
            duplicate,
          `${e.productId} v${e.version} after v${previous} (${item.injected ?? 'not injected'})`,
        );
        if (duplicate) assert.equal(item.injected, 'duplicate');
      }
      seen.add(e.eventId);
      max.set(e.productId, Math.max(previous, e.version));
    }
    assert.ok(lower > 0);
  });

  test('duplicates repeat an earlier event exactly, with the same eventId', () => {
    const byId = new Map<string, ProductEvent>();
    for (const item of items) {
      if (item.kind !== 'event') continue;
      if (item.injected === 'duplicate') assert.deepEqual(item.event, byId.get(item.event.eventId));
      else {
        assert.ok(!byId.has(item.event.eventId), 'only duplicates reuse an eventId');
        byId.set(item.event.eventId, item.event);
      }
    }
  });

  test('an unchanged-text UPDATE has the indexed embedding text and only a new image', () => {
    const indexed = new IndexFold();
    for (const event of catalogEvents(generateCatalog({ count: 5_000, seed: 11 })))
      indexed.apply({ kind: 'event', event });
    let checked = 0;
    for (const item of items) {
      if (item.kind === 'event' && item.injected === 'unchangedText') {
        const before = indexed.get(item.event.productId).product;
        assert.ok(before && item.event.product);
        assert.equal(textOf(item.event.product), textOf(before));
        assert.notEqual(item.event.product.imageUrl, before.imageUrl);
        checked += 1;
      }
      indexed.apply(item);
    }
    assert.ok(checked > 1000);
  });

  test('delete-then pairs: an older update that cannot resurrect, a newer create that does', () => {
    const oracle = buildOracle(items, TEXT);
    for (let i = 0; i + 1 < items.length; i++) {
      const [a, b] = [items[i], items[i + 1]];
      if (
        a?.kind !== 'event' ||
        b?.kind !== 'event' ||
        a.event.type !== 'DELETE' ||
        a.injected !== b.injected
      )
        continue;
      if (a.injected === 'deleteThenOlderUpdate') {
        assert.deepEqual([a.event.type, b.event.type], ['DELETE', 'UPDATE']);
        assert.ok(b.event.version < a.event.version);
      }
      if (a.injected === 'deleteThenNewerCreate') {
        assert.deepEqual([a.event.type, b.event.type], ['DELETE', 'CREATE']);
        assert.ok(b.event.version > a.event.version);
      }
    }
    // The oracle over the whole stream: a product whose last produced item is such an older update is gone.
    const lastItem = new Map<string, StreamItem>();
    for (const item of items) lastItem.set(itemKey(item), item);
    let gone = 0;
    for (const [id, item] of lastItem) {
      if (
        item.kind === 'event' &&
        item.injected === 'deleteThenOlderUpdate' &&
        item.event.type === 'UPDATE'
      ) {
        assert.equal(oracle.get(id)?.exists, false, id);
        gone += 1;
      }
    }
    assert.ok(gone > 0);
  });

  test('tombstones and bad inputs are keyed by products of the catalog', () => {
    const keys = items.filter((i) => i.kind !== 'event').map(itemKey);
    assert.ok(keys.length > 500);
    for (const key of keys) assert.match(key, /^p-\d{6}$/);
  });
});

describe('stream options', () => {
  test('warmUp puts the catalog’s CREATE v1 events first', () => {
    const items = generateEvents({ seed: 2, catalogSize: 30, count: 10, now: NOW, warmUp: true });
    assert.equal(items.length, 40);
    const warm = events(items.slice(0, 30));
    const catalog = generateCatalog({ count: 30, seed: 2 });
    assert.deepEqual(
      warm.map((e) => [e.type, e.version, e.productId, e.product]),
      catalog.map((c) => ['CREATE', 1, c.productId, c.product]),
    );
    assert.deepEqual(
      catalogEvents(catalog, { seed: 2, now: NOW }).map((e) => e.productId),
      catalog.map((c) => c.productId),
    );
  });

  test('a custom mix counts only the kinds it names', () => {
    const items = generateEvents({ seed: 1, catalogSize: 100, count: 1_000, now: NOW, mix: { stock: 1 } });
    assert.ok(events(items).every((e) => e.type === 'STOCK_UPDATE'));
  });

  test('nonsense options are refused', () => {
    assert.throws(
      () => generateEvents({ seed: 1, catalogSize: 10, count: 1, mix: { price: -1 } }),
      RangeError,
    );
    assert.throws(() => generateEvents({ seed: 1, catalogSize: 10, count: 1, mix: {} }), RangeError);
    assert.throws(() => generateEvents({ seed: 1, catalogSize: 10, count: 1, duplicates: 1.5 }), RangeError);
    assert.throws(
      () => generateEvents({ seed: 1, catalogSize: 10, count: 1, duplicates: 0.6, tombstones: 0.6 }),
      RangeError,
    );
  });
});
