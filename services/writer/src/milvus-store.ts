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
import type { WriterStore } from './store.js';

/** The writer's Milvus port over @freshet/milvus, timing each call. */
export function createMilvusWriterStore(
  client: MilvusClient,
  target: CollectionTarget,
  metrics: PipelineMetrics,
): WriterStore {
  const products = resolveTarget(target).products;
  // Every mutation of this process goes through one queue: Milvus Lite 3.2.2 tears its WAL when writes
  // overlap (see handler.ts), and with FRESHET_WRITER_PARTITIONS_CONCURRENCY > 1 the batches of several
  // partitions run at once. Reads (loadStates) still overlap.
  let writes: Promise<unknown> = Promise.resolve();
  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = writes.then(fn, fn);
    writes = next.catch(() => {});
    return next;
  }
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
  return {
    loadStates: (ids) => timed('load_states', () => loadStates(client, target, ids)),
    async upsert(rows) {
      const { rejected } = await serialized(() =>
        timed('upsert', () =>
          upsertRowsIsolating(
            client,
            products,
            rows.map((r) => ({ ...r })),
          ),
        ),
      );
      return {
        rejected: rejected.map(({ row, error }) => ({
          productId: row.productId,
          code: error.code,
          message: error.message,
        })),
      };
    },
    async partialUpdate(rows) {
      await serialized(() =>
        timed('partial_update', () =>
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
        ),
      );
      return { rejected: [] };
    },
    async delete(rows) {
      await serialized(() =>
        timed('delete', async () => {
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
        }),
      );
    },
  };
}
