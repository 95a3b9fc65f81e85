import {
  type BatchHandler,
  type DeadLetter,
  type DlqPublisher,
  errorCode,
  type StageRecord,
  sourceOffsetOf,
} from '@freshet/kafka';
import { vectorFromBytes } from '@freshet/milvus';
import type { AvroCodec, IndexWrite } from '@freshet/schemas';
import {
  isTracing,
  type Logger,
  OutcomeTally,
  type PipelineMetrics,
  startRecordSpan,
} from '@freshet/telemetry';
import {
  collapseByVersion,
  type GuardedWrite,
  groupByProduct,
  type IndexedState,
  type PriceStock,
  type ProductPlan,
} from './collapse.js';
import { type CollectionModel, decodeIndexWrite } from './decode.js';
import type { DeleteRow, PartialRow, RejectedRow, WriterRow, WriterStore, WriteSet } from './store.js';
import { WriteAccumulator } from './write-accumulator.js';

export interface WriterHandlerDeps {
  codec: AvroCodec;
  store: WriterStore;
  dlq: DlqPublisher;
  metrics: PipelineMetrics;
  logger: Logger;
  /** The collection's model: an UPSERT of another model or dimension goes to the DLQ (issue 14). */
  model: CollectionModel;
  /** The pipeline's input topic: the source offsets in the headers are positions in it. */
  inputTopic: string;
  /** Called when Milvus stops answering and again when it answers (pause/resume consumption). */
  onMilvusAvailability(available: boolean, error?: unknown): void;
  /** Called once Milvus acknowledged the batch (and its DLQ records were sent), just before the commit. */
  onAcknowledged?: () => void;
  /** Backoff of a pending batch's retries (the runner's policy: FRESHET_RETRY_BASE_MS / _MAX_MS). */
  retry: { baseMs: number; maxMs: number };
  clock?: () => number;
}

const STAGE = 'writer';

/**
 * Applies a batch of IndexWrites to Milvus: collapse per product by version, then one batched upsert,
 * partial update and delete. The batch is handed on as pending (see PendingBatch): the fetch goes on while
 * Milvus works, and the batches of every partition that arrive meanwhile go to Milvus together next (each
 * partition's in order; partitions hold disjoint products); the runner commits once Milvus acknowledged.
 * A Milvus outage is retried in place with backoff while the partitions are paused.
 */
export function createWriterHandler(deps: WriterHandlerDeps): BatchHandler {
  const now = deps.clock ?? Date.now;
  // Every partition's batches on their way to Milvus, one group at a time (see WriteAccumulator):
  // one state read and one flush for all partitions together. Milvus Lite answers one call at a time, so
  // the number of calls is what costs (the bench: per-partition groups kept it busy with state reads).
  const pending = new WriteAccumulator<Decoded>(
    (items) =>
      applyBatch(
        deps,
        now,
        items.flatMap((i) => i.writes),
        items.flatMap((i) => i.decodeLetters),
        new Map(items.flatMap((i) => [...i.recordOf])),
      ),
    {
      retry: deps.retry,
      onRetry(error, attempt, delayMs) {
        deps.metrics.retries.inc({ stage: STAGE, reason: errorCode(error) });
        deps.logger.warn({ err: error, attempt, delayMs }, 'batch failed; retrying without commit');
      },
    },
  );
  return async (records, ctx) => {
    const decodeLetters: DeadLetter[] = [];
    const writes: GuardedWrite[] = [];
    const recordOf = new Map<IndexWrite, StageRecord>();
    for (const record of records) {
      const decoded = await decodeIndexWrite(deps.codec, record.value, deps.model);
      if (!decoded.ok) {
        decodeLetters.push({ reason: decoded.code, message: decoded.message, record });
        deps.metrics.events.inc({ stage: STAGE, type: 'UNKNOWN', outcome: 'dlq' });
        continue;
      }
      const write: GuardedWrite = {
        ...decoded.write,
        sourceOffset: sourceOffsetOf(record.headers, deps.inputTopic),
      };
      writes.push(write);
      recordOf.set(write, record);
    }
    // Untraced, a span per record would be a few objects per record held until Milvus answers, for nothing.
    const spans = isTracing()
      ? writes.map((w) =>
          startRecordSpan(STAGE, 'writer.apply', recordOf.get(w)!.headers, {
            'freshet.product_id': w.productId,
            'freshet.version': w.version,
            'freshet.op': w.op,
          }),
        )
      : [];

    const done = pending.submit({ writes, decodeLetters, recordOf }, ctx.signal);
    done.then(
      () => {
        for (const s of spans) s.end();
      },
      (error: unknown) => {
        for (const s of spans) s.end(error);
      },
    );
    return { done };
  };
}

interface Decoded {
  writes: GuardedWrite[];
  decodeLetters: DeadLetter[];
  recordOf: Map<IndexWrite, StageRecord>;
}

/**
 * Loads the indexed states of the batch's products, collapses each product's writes by version, has
 * Milvus apply them, then dead-letters what Milvus refused; resolves only after Milvus acknowledged.
 * Throws on a Milvus failure (after reporting it), so it can run again.
 */
async function applyBatch(
  deps: WriterHandlerDeps,
  now: () => number,
  writes: readonly GuardedWrite[],
  decodeLetters: readonly DeadLetter[],
  recordOf: ReadonlyMap<IndexWrite, StageRecord>,
): Promise<void> {
  const letters = [...decodeLetters];
  const groups = groupByProduct(writes);
  let rejected: RejectedRow[] = [];
  let plans: Array<{ productId: string; plan: ProductPlan; writes: GuardedWrite[]; outcomes: string[] }>;
  const indexedAt = now();
  try {
    const states = groups.size > 0 ? await deps.store.loadStates([...groups.keys()]) : new Map();
    plans = [...groups].map(([productId, productWrites]) => {
      const { plan, outcomes } = collapseByVersion(
        productWrites,
        states.get(productId) ?? { rowVersion: null, tombstoneVersion: null },
      );
      return { productId, plan, writes: productWrites, outcomes };
    });
    const { upserts, partials, deletes } = writeSetOf(
      plans.map((p) => p.plan),
      indexedAt,
      states,
    );
    // The store applies one write set at a time, merged with other partitions' (Milvus Lite 3.2.2 corrupts
    // a collection's WAL when writes overlap, and on its next restart drops every acknowledged write after
    // the torn record: issue 5's chaos run found it). Products are disjoint across the three lists.
    if (upserts.length + partials.length + deletes.length > 0)
      ({ rejected } = await deps.store.apply({ upserts, partials, deletes }));
    deps.onMilvusAvailability(true);
  } catch (error) {
    if ((error as { canRetry?: boolean }).canRetry !== false) deps.onMilvusAvailability(false, error);
    throw error;
  }

  // A row Milvus refuses can never be written: its product's records go to the DLQ, then commit.
  const rejectedById = new Map(rejected.map((r) => [r.productId, r]));
  for (const { productId, writes: productWrites } of plans) {
    const reject = rejectedById.get(productId);
    if (!reject) continue;
    for (const w of productWrites)
      letters.push({ reason: reject.code, message: reject.message, record: recordOf.get(w)! });
  }
  if (letters.length > 0) {
    await deps.dlq.publish(letters);
    for (const l of letters) deps.metrics.dlq.inc({ stage: STAGE, reason: l.reason });
    deps.logger.warn(
      { count: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] },
      'records sent to the DLQ',
    );
  }

  const tally = new OutcomeTally();
  for (const { productId, writes: productWrites, outcomes } of plans) {
    const isRejected = rejectedById.has(productId);
    productWrites.forEach((w, i) => {
      const outcome = isRejected ? 'dlq' : (outcomes[i] ?? 'applied');
      tally.add(w.eventType, outcome);
      if (outcome === 'applied') deps.metrics.freshness.observe(Math.max(0, indexedAt - w.occurredAt) / 1000);
    });
  }
  tally.record(deps.metrics, STAGE);
  deps.onAcknowledged?.();
}

/**
 * The Milvus mutations of a group's plans, stamped `indexedAt` (products are disjoint across the lists).
 * A partial update carries the row's other price and stock fields as read with its state, so every partial
 * row names the same fields: Milvus takes one field set per call, and price-only, stock-only and both
 * would be three calls a group.
 */
export function writeSetOf(
  plans: readonly ProductPlan[],
  indexedAt: number,
  states: ReadonlyMap<string, IndexedState> = new Map(),
): WriteSet {
  const upserts: WriterRow[] = [];
  const partials: PartialRow[] = [];
  const deletes: DeleteRow[] = [];
  for (const plan of plans) {
    if (plan.kind === 'upsert') upserts.push(toRow(plan.write, indexedAt, plan.sourceOffset));
    else if (plan.kind === 'partial')
      partials.push({
        productId: plan.productId,
        fields: withIndexedPriceStock(plan.fields, states.get(plan.productId)),
        version: plan.version,
        occurredAt: plan.occurredAt,
        indexedAt,
        sourceOffset: plan.sourceOffset,
      });
    else if (plan.kind === 'delete')
      deletes.push({
        productId: plan.productId,
        tombstoneVersion: plan.tombstoneVersion,
        deletedAt: indexedAt,
      });
  }
  return { upserts, partials, deletes };
}

function withIndexedPriceStock(fields: PriceStock, state: IndexedState | undefined): PriceStock {
  if (!state || state.priceMinor === undefined || state.currency === undefined || state.stock === undefined)
    return fields;
  return { priceMinor: state.priceMinor, currency: state.currency, stock: state.stock, ...fields };
}

function toRow(w: IndexWrite, indexedAt: number, sourceOffset: number | null): WriterRow {
  const vector = vectorFromBytes(w.vector!, w.dimension);
  return {
    productId: w.productId,
    vector,
    title: w.title ?? '',
    category: w.category,
    brand: w.brand,
    priceMinor: w.priceMinor,
    currency: w.currency,
    stock: w.stock,
    version: w.version,
    contentHash: w.contentHash ?? '',
    model: w.model ?? '',
    occurredAt: w.occurredAt,
    indexedAt,
    sourceOffset,
  };
}
