import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexWrite } from '@freshet/schemas';
import { collapseByVersion, groupByProduct } from './version-guard.js';

const none = { rowVersion: null, tombstoneVersion: null };

function upsert(version: number, title = `t${version}`): IndexWrite {
  return {
    op: 'UPSERT',
    eventId: `e${version}`,
    eventType: 'UPDATE',
    productId: 'p1',
    version,
    occurredAt: 1000 + version,
    title,
    category: 'c',
    brand: 'b',
    priceMinor: 100,
    currency: 'USD',
    stock: 5,
    contentHash: `h${version}`,
    model: 'm',
    dimension: 2,
    vector: Buffer.alloc(8),
  };
}
const price = (version: number, priceMinor: number): IndexWrite => ({
  ...upsert(version),
  op: 'PARTIAL',
  eventType: 'PRICE_CHANGE',
  title: null,
  priceMinor,
  currency: 'EUR',
  stock: null,
  vector: null,
});
const stock = (version: number, units: number): IndexWrite => ({
  ...price(version, 0),
  eventType: 'STOCK_UPDATE',
  priceMinor: null,
  currency: null,
  stock: units,
});
const del = (version: number): IndexWrite => ({ ...price(version, 0), op: 'DELETE', eventType: 'DELETE' });

test('the highest version wins and later partials fold into the full row', () => {
  const { plan, outcomes } = collapseByVersion([upsert(1), price(2, 250), stock(3, 0)], none);
  assert.equal(plan.kind, 'upsert');
  assert.ok(plan.kind === 'upsert');
  assert.equal(plan.version, 3);
  assert.equal(plan.write.priceMinor, 250);
  assert.equal(plan.write.currency, 'EUR');
  assert.equal(plan.write.stock, 0);
  assert.equal(plan.write.title, 't1');
  assert.deepEqual(outcomes, ['applied', 'applied', 'applied']);
});

test('an event older than the indexed row changes nothing', () => {
  const { plan, outcomes } = collapseByVersion([upsert(4), price(5, 1)], {
    rowVersion: 7,
    tombstoneVersion: null,
  });
  assert.equal(plan.kind, 'none');
  assert.deepEqual(outcomes, ['stale', 'stale']);
});

test('an older update after a delete does not resurrect the product', () => {
  const inBatch = collapseByVersion([upsert(1), del(3), upsert(2)], none);
  assert.deepEqual(inBatch.plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 3 });
  assert.deepEqual(inBatch.outcomes, ['applied', 'applied', 'stale']);
  const acrossBatches = collapseByVersion([upsert(2)], { rowVersion: null, tombstoneVersion: 3 });
  assert.equal(acrossBatches.plan.kind, 'none');
});

test('a delete cut short (tombstone written, row not yet deleted) is finished by its redelivery', () => {
  const cutShort = { rowVersion: 2, tombstoneVersion: 3 };
  const redelivered = collapseByVersion([del(3)], cutShort);
  assert.deepEqual(redelivered.plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 3 });
  assert.deepEqual(redelivered.outcomes, ['stale']);
  // Any later batch of the product finishes it too, and a partial cannot revive the leftover row.
  assert.equal(collapseByVersion([price(2, 5)], cutShort).plan.kind, 'delete');
  const newerPartial = collapseByVersion([price(4, 5)], cutShort);
  assert.equal(newerPartial.plan.kind, 'delete');
  assert.deepEqual(newerPartial.outcomes, ['missing']);
  assert.equal(collapseByVersion([upsert(4)], cutShort).plan.kind, 'upsert');
});

test('a newer create after a delete brings the product back', () => {
  const { plan } = collapseByVersion([upsert(5)], { rowVersion: null, tombstoneVersion: 3 });
  assert.equal(plan.kind, 'upsert');
});

test('partials on an indexed row become one partial update with the last values', () => {
  const { plan } = collapseByVersion([price(5, 10), stock(6, 3), price(7, 20)], {
    rowVersion: 4,
    tombstoneVersion: null,
  });
  assert.deepEqual(plan, {
    kind: 'partial',
    productId: 'p1',
    fields: { priceMinor: 20, currency: 'EUR', stock: 3 },
    version: 7,
    occurredAt: 1007,
    sourceOffset: null,
  });
});

test('a partial update cannot create a product', () => {
  const { plan, outcomes } = collapseByVersion([price(5, 10)], none);
  assert.equal(plan.kind, 'none');
  assert.deepEqual(outcomes, ['missing']);
  const afterDelete = collapseByVersion([upsert(1), del(2), price(3, 9)], none);
  assert.equal(afterDelete.plan.kind, 'delete');
  assert.deepEqual(afterDelete.outcomes, ['applied', 'applied', 'missing']);
});

test('duplicates of the same version are applied once', () => {
  const { plan, outcomes } = collapseByVersion([upsert(2, 'first'), upsert(2, 'dup')], none);
  assert.ok(plan.kind === 'upsert');
  assert.equal(plan.write.title, 'first');
  assert.deepEqual(outcomes, ['applied', 'stale']);
});

test('a tombstone of unknown version deletes what is there but blocks nothing newer', () => {
  const tombstone = { ...del(-1) };
  const gone = collapseByVersion([tombstone], { rowVersion: 4, tombstoneVersion: null });
  assert.deepEqual(gone.plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 4 });
  const back = collapseByVersion([tombstone, upsert(5)], { rowVersion: 4, tombstoneVersion: null });
  assert.equal(back.plan.kind, 'upsert');
  const nothing = collapseByVersion([tombstone], none);
  assert.equal(nothing.plan.kind, 'none');
});

test('a redelivered tombstone is ordered by source offset: it cannot delete the CREATE that followed it', () => {
  const at = <W extends IndexWrite>(w: W, sourceOffset: number) => ({ ...w, sourceOffset });
  const tombstone = at(del(-1), 20);
  const create = at(upsert(9), 25);
  // First delivery on an indexed v1 (offset 5): delete, then the newer CREATE re-creates it.
  const first = collapseByVersion([tombstone, create], {
    rowVersion: 1,
    tombstoneVersion: null,
    rowSourceOffset: 5,
  });
  assert.equal(first.plan.kind, 'upsert');
  assert.equal(first.plan.kind === 'upsert' && first.plan.sourceOffset, 25);
  // The crash before the commit replays both against the v9 row written from offset 25: nothing changes.
  const replay = collapseByVersion([tombstone, create], {
    rowVersion: 9,
    tombstoneVersion: null,
    rowSourceOffset: 25,
  });
  assert.deepEqual(replay.plan, { kind: 'none', productId: 'p1' });
  assert.deepEqual(replay.outcomes, ['stale', 'stale']);
  // A tombstone after what is indexed deletes, and one without an offset still deletes (older writers).
  const later = collapseByVersion([at(del(-1), 26)], {
    rowVersion: 9,
    tombstoneVersion: null,
    rowSourceOffset: 25,
  });
  assert.deepEqual(later.plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 9 });
  const unknown = collapseByVersion([del(-1)], {
    rowVersion: 9,
    tombstoneVersion: null,
    rowSourceOffset: 25,
  });
  assert.equal(unknown.plan.kind, 'delete');
  // The producer re-sent the CREATE after the tombstone (a duplicate the router's window missed): stays deleted.
  const dupAfter = collapseByVersion([at(del(-1), 30), at(upsert(9), 31)], {
    rowVersion: 9,
    tombstoneVersion: null,
    rowSourceOffset: 25,
  });
  assert.deepEqual(dupAfter.plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 9 });
});

test('the row keeps the highest source offset applied, partial updates included', () => {
  const indexed = { rowVersion: 3, tombstoneVersion: null, rowSourceOffset: 40 };
  // A DLQ replay of an old record can carry a lower offset: it may win by version but never lowers the offset.
  const replayed = collapseByVersion([{ ...price(4, 7), sourceOffset: 12 }], indexed);
  assert.equal(replayed.plan.kind === 'partial' && replayed.plan.sourceOffset, 40);
  const newer = collapseByVersion(
    [
      { ...price(4, 7), sourceOffset: 41 },
      { ...stock(5, 1), sourceOffset: 42 },
    ],
    indexed,
  );
  assert.equal(newer.plan.kind === 'partial' && newer.plan.sourceOffset, 42);
  // A re-create after a delete in the batch starts from its own offset.
  const recreated = collapseByVersion(
    [
      { ...del(6), sourceOffset: 43 },
      { ...upsert(7), sourceOffset: 44 },
    ],
    indexed,
  );
  assert.equal(recreated.plan.kind === 'upsert' && recreated.plan.sourceOffset, 44);
});

test('writes are grouped per product in partition order', () => {
  const a = upsert(1);
  const b = { ...upsert(1), productId: 'p2' };
  const c = price(2, 5);
  const groups = groupByProduct([a, b, c]);
  assert.deepEqual([...groups.keys()], ['p1', 'p2']);
  assert.deepEqual(groups.get('p1'), [a, c]);
});

test('a row older than the shared tombstone is deleted even when the batch brings nothing newer', () => {
  const write = { ...upsert(10), op: 'DELETE' as const, eventType: 'DELETE' as const, vector: null };
  const { plan, outcomes } = collapseByVersion([write], { rowVersion: 5, tombstoneVersion: 10 });
  assert.deepEqual(outcomes, ['stale']);
  assert.deepEqual(plan, { kind: 'delete', productId: 'p1', tombstoneVersion: 10 });
  // A newer write after the leftover wins as usual; an older one cannot resurrect it.
  assert.equal(collapseByVersion([upsert(11)], { rowVersion: 5, tombstoneVersion: 10 }).plan.kind, 'upsert');
  assert.equal(collapseByVersion([upsert(7)], { rowVersion: 5, tombstoneVersion: 10 }).plan.kind, 'delete');
  assert.equal(
    collapseByVersion([price(11, 1)], { rowVersion: 5, tombstoneVersion: 10 }).plan.kind,
    'delete',
  );
  // A row newer than its tombstone (re-created after a delete) is not a leftover.
  assert.equal(collapseByVersion([upsert(9)], { rowVersion: 12, tombstoneVersion: 10 }).plan.kind, 'none');
});
