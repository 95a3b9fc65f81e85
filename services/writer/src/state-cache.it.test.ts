import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { createMilvusClient, dropAll, ensureCollection, tombstoneName } from '@freshet/milvus';
import { type IndexWrite, UNKNOWN_VERSION } from '@freshet/schemas';
import { createMetrics } from '@freshet/telemetry';
import { mulberry32 } from '@freshet/testkit';
import { collapseByVersion, type GuardedWrite, groupByProduct } from './collapse.js';
import { writeSetOf } from './handler.js';
import { createMilvusWriterStore } from './milvus-store.js';
import { StateCachingStore } from './state-cache.js';

const client = createMilvusClient({ address: process.env.FRESHET_MILVUS_ADDRESS ?? '127.0.0.1:19530' });
const alias = `it_cache_${randomBytes(4).toString('hex')}`;
after(async () => {
  await dropAll(client, alias);
  await client.closeConnection();
});

const DIM = 4;

function write(
  productId: string,
  op: IndexWrite['op'],
  version: number,
  sourceOffset: number,
  price = false,
): GuardedWrite {
  const vector = Buffer.alloc(DIM * 4);
  vector.writeFloatLE(version, 0);
  return {
    op,
    eventId: `${productId}-${version}-${sourceOffset}`,
    eventType:
      op === 'UPSERT' ? 'UPDATE' : op === 'PARTIAL' ? (price ? 'PRICE_CHANGE' : 'STOCK_UPDATE') : 'DELETE',
    productId,
    version,
    occurredAt: sourceOffset,
    title: op === 'UPSERT' ? `t${version}` : null,
    category: null,
    brand: null,
    priceMinor: op === 'UPSERT' || (op === 'PARTIAL' && price) ? version * 100 : null,
    currency: op === 'UPSERT' || (op === 'PARTIAL' && price) ? 'EUR' : null,
    stock: op === 'UPSERT' || (op === 'PARTIAL' && !price) ? version : null,
    contentHash: op === 'UPSERT' ? `h${version}` : null,
    model: op === 'UPSERT' ? 'test' : null,
    dimension: DIM,
    vector: op === 'UPSERT' ? vector : null,
    sourceOffset,
  };
}

test('states the cache derives from its writes are the ones Milvus holds, through creates, edits, deletes, tombstones and redeliveries', async () => {
  await ensureCollection(client, { alias, dimension: DIM });
  const milvus = createMilvusWriterStore(
    client,
    { products: `${alias}_v1`, tombstones: tombstoneName(alias) },
    createMetrics('writer-it'),
  );
  let misses = 0;
  const cached = new StateCachingStore(milvus, {
    maxEntries: 1000,
    trustMs: 60_000,
    onLookup: (_, m) => {
      misses += m;
    },
  });
  cached.joined();
  const random = mulberry32(5);
  const ids = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const versions = new Map(ids.map((id) => [id, 0]));
  let offset = 0;
  const history: GuardedWrite[] = [];
  let answered = 0;
  for (let round = 0; round < 40; round++) {
    const writes: GuardedWrite[] = [];
    for (let n = 0; n < 6; n++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      const r = random();
      if (r < 0.12 && history.length > 0) {
        // A redelivery of an earlier write (a crash between acknowledgement and commit).
        writes.push(history[Math.floor(random() * history.length)]!);
        continue;
      }
      const version = versions.get(id)! + 1;
      versions.set(id, version);
      offset += 1;
      const op: IndexWrite['op'] = r < 0.45 ? 'UPSERT' : r < 0.8 ? 'PARTIAL' : 'DELETE';
      // Some deletes are Kafka tombstones: no version, ordered by their source offset only.
      writes.push(write(id, op, op === 'DELETE' && r > 0.9 ? UNKNOWN_VERSION : version, offset, r < 0.62));
    }
    history.push(...writes);
    const groups = groupByProduct(writes);
    const states = await cached.loadStates([...groups.keys()]);
    const plans = [...groups].map(
      ([id, productWrites]) =>
        collapseByVersion(productWrites, states.get(id) ?? { rowVersion: null, tombstoneVersion: null }).plan,
    );
    await cached.apply(writeSetOf(plans, Date.now(), states));

    const fromMilvus = await milvus.loadStates(ids);
    const missesBefore = misses;
    const fromCache = await cached.loadStates(ids);
    if (misses === missesBefore) answered += 1;
    for (const id of ids)
      assert.deepEqual(fromCache.get(id), fromMilvus.get(id), `round ${round}: ${id}'s cached state`);
  }
  // From the second round on every state comes from the cache, as updated by the round's write.
  assert.equal(answered, 39);
});
