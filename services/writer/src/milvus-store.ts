import {
  type CollectionTarget,
  deleteRows,
  loadStates,
  type MilvusClient,
  partialUpdate,
  resolveTarget,
  upsertRowsIsolating,
  upsertTombstones,
} from '@freshet/milvus';
import type { PipelineMetrics } from '@freshet/telemetry';
import type { DeleteRow, PartialRow, RejectedRow, WriterRow, WriterStore, WriteSet } from './store.js';

const UPSERT_CHUNK = 500;

/** The writer's Milvus port over @freshet/milvus, timing each call. */
export function createMilvusWriterStore(
  client: MilvusClient,
  target: CollectionTarget,
  metrics: PipelineMetrics,
): WriterStore {
  const products = resolveTarget(target).products;
  async function timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const end = metrics.milvusDuration.startTimer({ op });
    try {
      const result = await fn();
      metrics.milvusRequests.inc({ op, outcome: 'ok' });
      return result;
    } catch (error) {
      metrics.milvusRequests.inc({
        op,
        outcome: (error as { canRetry?: boolean }).canRetry ? 'unavailable' : 'rejected',
      });
      throw error;
    } finally {
      end();
    }
  }
  async function upsert(rows: WriterRow[]): Promise<RejectedRow[]> {
    // At most UPSERT_CHUNK rows a call: a group merged from a backlog can hold thousands, and the SDK's
    // row arrays and gRPC buffers for all of them at once cost memory that batches of 500 do not (the
    // SDK's ceiling is the same from 250 rows a call on: bench `milvus.points`).
    const rejected: Awaited<ReturnType<typeof upsertRowsIsolating>>['rejected'] = [];
    for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
      const part = rows.slice(i, i + UPSERT_CHUNK);
      const result = await timed('upsert', () => upsertRowsIsolating(client, products, part));
      rejected.push(...result.rejected);
    }
    return rejected.map(({ row, error }) => ({
      productId: row.productId,
      code: error.code,
      message: error.message,
    }));
  }
  async function partial(rows: PartialRow[]): Promise<void> {
    await timed('partial_update', () =>
      partialUpdate(
        client,
        products,
        rows.map((r) => ({
          productId: r.productId,
          version: r.version,
          occurredAt: r.occurredAt,
          indexedAt: r.indexedAt,
          sourceOffset: r.sourceOffset,
          ...r.fields,
        })),
      ),
    );
  }
  async function remove(rows: DeleteRow[]): Promise<void> {
    await timed('delete', async () => {
      // Tombstone first: if the process dies in between, a retry finds the tombstone and deletes again.
      await upsertTombstones(
        client,
        target,
        rows
          .filter((r) => r.tombstoneVersion !== null)
          .map((r) => ({ productId: r.productId, version: r.tombstoneVersion!, deletedAt: r.deletedAt })),
      );
      await deleteRows(
        client,
        products,
        rows.map((r) => r.productId),
      );
    });
  }
  async function flush(set: WriteSet): Promise<{ rejected: RejectedRow[] }> {
    const rejected = set.upserts.length > 0 ? await upsert(set.upserts) : [];
    if (set.partials.length > 0) await partial(set.partials);
    if (set.deletes.length > 0) await remove(set.deletes);
    return { rejected };
  }
  // One write set at a time, whoever calls: Milvus Lite tears its WAL when writes overlap. (The handler's
  // accumulator already sends one group at a time; the guarantee stays here, where its reason is.)
  let writing: Promise<unknown> = Promise.resolve();
  return {
    loadStates: (ids) => timed('load_states', () => loadStates(client, target, ids)),
    apply(set) {
      const next = writing.then(
        () => flush(set),
        () => flush(set),
      );
      writing = next.catch(() => {});
      return next;
    },
  };
}
