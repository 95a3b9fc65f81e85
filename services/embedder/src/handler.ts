import { isEmbeddingError } from '@freshet/embedding';
import type { BatchHandler, DeadLetter, DlqPublisher, Message, Producer, StageRecord } from '@freshet/kafka';
import {
  detachRecord,
  errorCode,
  KeyedChain,
  produceAll,
  retryUntilDone,
  sourceHeaders,
} from '@freshet/kafka';
import type { AvroCodec, EmbedderRequest } from '@freshet/schemas';
import {
  type Failpoints,
  type Logger,
  OutcomeTally,
  type PipelineMetrics,
  startRecordSpan,
} from '@freshet/telemetry';
import { decodeEmbedderRequest } from './decode.js';
import { earlyPassThrough, stillToSend } from './early.js';
import { InFlightRecord, InFlightRecords } from './in-flight-records.js';
import { type ModelInfo, needsVector, toIndexWrite } from './index-write.js';
import { resolveLatest } from './latest.js';
import type { IndexedVector } from './vectors.js';

/** What the handler needs of the embedding client (see @freshet/embedding createEmbeddingClient). */
export interface Embeddings {
  embedMany(texts: readonly string[]): Promise<Float32Array[]>;
  embeddings: { get(hash: string): Float32Array | undefined; set(hash: string, v: Float32Array): void };
  productHashes: {
    get(id: string): string | undefined;
    set(id: string, hash: string): void;
    delete(id: string): void;
  };
}

export interface EmbedderHandlerDeps {
  codec: AvroCodec;
  producer: Producer;
  indexTopic: string;
  dlq: DlqPublisher;
  embeddings: Embeddings;
  lookupIndexed(
    productIds: string[],
    wanted: (productId: string, contentHash: string) => boolean,
  ): Promise<Map<string, IndexedVector>>;
  model: ModelInfo;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Backoff of a pending batch's retries (the runner's policy: FRESHET_RETRY_BASE_MS / _MAX_MS). */
  retry: { baseMs: number; maxMs: number };
  /** Test crash points: `embedder.after-produce` (a batch's outputs sent, its offsets not yet committed). */
  failpoints?: Failpoints;
}

const STAGE = 'embedder';

/**
 * Turns a batch of EmbedRequests into IndexWrites in per-product order, embedding only text whose
 * content hash is neither cached nor already indexed; a text the API refuses outright goes to the DLQ.
 *
 * A batch that needs the API is handed on as pending (see PendingBatch): its price, stock and delete
 * records go out at once, the fetch goes on, and the texts are embedded meanwhile, so one slow API call
 * no longer holds every other record of the partition (the bench's freshness was mostly that wait). Per
 * product, a batch's outputs wait for the product's previous batch still in flight. An API outage is
 * retried inside the pending batch with backoff (the breaker pauses the partitions meanwhile); a stop or a
 * revocation ends it uncommitted.
 */
export function createEmbedderHandler(deps: EmbedderHandlerDeps): BatchHandler {
  // Batches whose early pass-through records are already acknowledged (the runner retries the same array).
  const earlySent = new WeakSet<StageRecord[]>();
  // Per product: its latest batch still in flight.
  const inFlight = new KeyedChain();
  // Per partition and product: the records of the batches in flight, for the latest-state rule.
  const window = new InFlightRecords();
  // Per content hash: an embedding call under way. Batches in flight at once resolve their vectors at
  // once, so the same new text in two of them (a hot product edited twice) must be paid for once.
  const embedding = new Map<string, Promise<Float32Array>>();
  const embed = sharedEmbed(deps, embedding);
  return async (records, ctx) => {
    const letters: DeadLetter[] = [];
    const accepted: Accepted[] = [];
    for (const record of records) {
      const decoded = await decodeEmbedderRequest(deps.codec, record.value);
      if (decoded.ok) accepted.push({ record, request: decoded.request });
      else letters.push({ reason: decoded.code, message: decoded.message, record });
    }
    const ids = new Set(accepted.map((a) => a.request.productId));
    const busy = new Set([...ids].filter((id) => inFlight.busy(id)));
    const requests = accepted.map((a) => a.request);
    if (busy.size === 0 && !requests.some(needsVector)) {
      // Nothing to wait for: done here, and the runner commits it at once.
      await complete(deps, embed, accepted, letters, new Set(), async () => {}, null, window);
      return;
    }
    // Price, stock and delete records of products with nothing in flight and no text before them in
    // this batch need nothing from the API: they go out now.
    const early = new Set([...earlyPassThrough(requests)].filter((i) => !busy.has(requests[i]!.productId)));
    if (early.size > 0 && !earlySent.has(records)) {
      const messages: Message[] = [];
      for (const i of early) messages.push(await indexMessage(deps, accepted[i]!, null));
      await produceAll(deps.producer, deps.indexTopic, messages);
      earlySent.add(records);
    }
    const before = inFlight.before(busy);
    // An earlier batch of these products given up on a stop or a revocation is redone from the committed
    // offset, with this one after it: this batch's outputs going out now would overtake its outputs (chaos
    // run: a price change sent while its product's text, stuck on a failing API, was given up). A batch of
    // an earlier assignment given up while this one, a redo, waited holds nothing this one must wait for.
    const turn = async () => {
      if (!(await before) && ctx.signal.aborted)
        throw new EarlierBatchGivenUpError([...busy], { cause: ctx.signal.reason });
    };
    // What the pending batch keeps until the API answers holds no view into kafkajs' fetch response (a
    // record's bytes are slices of it: a few held records kept every response of a backlog alive). A text's
    // value is kept, copied, for the dead letter of a refusal; no closure here may see `records`/`accepted`.
    const held = accepted.map(({ record, request }) => ({
      record: detachRecord(record, { value: needsVector(request) }),
      request,
    }));
    const heldLetters = letters.map((l) => ({ ...l, record: detachRecord(l.record, { value: true }) }));
    const firstOffset = records[0]?.offset;
    // Seen by this batch's and later batches' supersession from now until the batch settles.
    const tracked = held.map((a) => new InFlightRecord(ctx.partition, a.record.offset, a.request));
    window.add(tracked);
    const pending = retryUntilDone(
      // Vectors are resolved at once; the outputs wait for the products' earlier batches.
      () => complete(deps, embed, held, heldLetters, early, turn, tracked, window),
      {
        signal: ctx.signal,
        retry: deps.retry,
        onRetry(error, attempt, delayMs) {
          deps.metrics.retries.inc({ stage: STAGE, reason: errorCode(error) });
          deps.logger.warn(
            { err: error, partition: ctx.partition, offset: firstOffset, attempt, delayMs },
            'batch failed; retrying without commit',
          );
        },
      },
    );
    // Only products with an output still to come are held: holding one whose records all went out early
    // would make its next price change wait for this batch's texts (the bench: hot products' price and
    // stock changes queued behind other products' embeddings).
    inFlight.hold(stillToSend(requests, early), pending.done);
    void pending.done
      .catch(() => {})
      .finally(() => {
        // Given up before a text was decided: a text superseded by it is embedded after all.
        for (const r of tracked) r.cover(false);
        window.remove(tracked);
      });
    return pending;
  };
}

/** A pending batch stopped before its outputs: a batch before it, holding the same products, was given up. */
export class EarlierBatchGivenUpError extends Error {
  readonly code = 'FRESHET_EARLIER_BATCH_GIVEN_UP';
  constructor(
    readonly productIds: string[],
    options?: ErrorOptions,
  ) {
    super(
      `an earlier batch of ${productIds.length} of these products was given up; not overtaking it`,
      options,
    );
    this.name = 'EarlierBatchGivenUpError';
  }
}

interface Accepted {
  record: StageRecord;
  request: EmbedderRequest;
}

/**
 * Resolves the batch's vectors, produces every IndexWrite not sent early, dead-letters what cannot be
 * embedded, and updates the caches: everything after the early pass-through. Safe to run again.
 */
async function complete(
  deps: EmbedderHandlerDeps,
  embed: SharedEmbed,
  accepted: readonly Accepted[],
  decodeLetters: readonly DeadLetter[],
  sentEarly: ReadonlySet<number>,
  turn: () => Promise<void>,
  records: readonly InFlightRecord[] | null,
  window: InFlightRecords,
): Promise<void> {
  const letters = [...decodeLetters];
  const refused = new Map<string, { code: string; message: string }>();
  const resolution = await resolveLatest(
    accepted.map((a) => a.request),
    records,
    window,
    {
      cachedVector: (hash) => deps.embeddings.embeddings.get(hash),
      indexedHash: (id) => deps.embeddings.productHashes.get(id),
      lookupIndexed: deps.lookupIndexed,
      embed: (texts, hashes) => embed(texts, hashes, refused),
    },
    (request) => request.text !== null && refused.has(request.text),
    (error) => deps.logger.warn({ err: error }, 'indexed-vector lookup failed; embedding instead'),
  );
  await turn();

  const messages: Message[] = [];
  const outcomes: Array<{ request: EmbedderRequest; outcome: string; deleted?: boolean }> = [];
  for (const [i, item] of accepted.entries()) {
    const { record, request } = item;
    const skipped = resolution.skipped.get(i);
    if (skipped) {
      // A newer record of the product in flight makes this text redundant (see resolveLatest): nothing goes
      // out, or, before a Kafka tombstone, a DELETE at its version that keeps the writer's version guard.
      if (skipped === 'delete')
        messages.push(await indexMessage(deps, { record, request: asDelete(request) }, null));
      outcomes.push({ request, outcome: 'superseded', deleted: skipped === 'delete' });
      continue;
    }
    const vector = request.contentHash ? (resolution.byHash.get(request.contentHash) ?? null) : null;
    const refusal = request.text !== null ? refused.get(request.text) : undefined;
    if (needsVector(request) && (!vector || refusal)) {
      letters.push({
        reason: refusal?.code ?? 'FRESHET_EMBEDDING_REFUSED',
        message: refusal?.message ?? 'no vector',
        record,
      });
      continue;
    }
    if (!sentEarly.has(i))
      messages.push(await indexMessage(deps, item, needsVector(request) ? vector : null));
    outcomes.push({ request, outcome: needsVector(request) ? 'vector' : 'passthrough' });
  }

  await produceAll(deps.producer, deps.indexTopic, messages);
  if (letters.length > 0) {
    await deps.dlq.publish(letters);
    for (const l of letters) deps.metrics.dlq.inc({ stage: STAGE, reason: l.reason });
  }
  deps.failpoints?.reach('embedder.after-produce');

  // Caches follow what was produced, in order, so they describe what the writer will hold.
  for (const [id, hash] of resolution.indexedHashes) deps.embeddings.productHashes.set(id, hash);
  // A refused text's placeholder is empty: caching it would hand a replayed record (after the API is
  // fixed) a 0-byte vector that the writer then DLQs as FRESHET_DIMENSION_MISMATCH.
  for (const [hash, vector] of resolution.byHash) {
    if (vector.length > 0) deps.embeddings.embeddings.set(hash, vector);
  }
  const tally = new OutcomeTally();
  if (letters.length > 0) tally.add('UNKNOWN', 'dlq', letters.length);
  for (const { request, outcome, deleted } of outcomes) {
    if (request.type === 'DELETE' || deleted) deps.embeddings.productHashes.delete(request.productId);
    else if (request.contentHash && needsVector(request) && outcome !== 'superseded')
      deps.embeddings.productHashes.set(request.productId, request.contentHash);
    tally.add(request.type, outcome);
  }
  tally.add('TEXT', 'embedded', resolution.embedded);
  tally.add('TEXT', 'cache_hit', resolution.cacheHits);
  tally.add('TEXT', 'indexed_hit', resolution.indexedHits);
  tally.record(deps.metrics, STAGE);
}

type SharedEmbed = (
  texts: string[],
  hashes: string[],
  refused: Map<string, { code: string; message: string }>,
) => Promise<Float32Array[]>;

/**
 * Embeds texts, joining a call already under way for the same content hash instead of paying again. A
 * vector is put in the embedding cache as soon as it arrives (the cache is by content, so that is safe
 * before the batch's outputs are out); a refused text (empty placeholder) never is.
 */
function sharedEmbed(deps: EmbedderHandlerDeps, underWay: Map<string, Promise<Float32Array>>): SharedEmbed {
  return async (texts, hashes, refused) => {
    const own: number[] = [];
    texts.forEach((_, i) => {
      if (!underWay.has(hashes[i]!)) own.push(i);
    });
    if (own.length > 0) {
      const call = embedRefusingBadTexts(
        deps.embeddings,
        own.map((i) => texts[i]!),
        refused,
      );
      own.forEach((i, k) => {
        const hash = hashes[i]!;
        const one = call.then((vectors) => vectors[k]!);
        underWay.set(hash, one);
        void one
          .then(
            (v) => {
              if (v.length > 0) deps.embeddings.embeddings.set(hash, v);
            },
            () => {},
          )
          .finally(() => {
            if (underWay.get(hash) === one) underWay.delete(hash);
          });
      });
    }
    const vectors = await Promise.all(
      hashes.map((h) => underWay.get(h) ?? Promise.reject(new Error(`no vector for ${h}`))),
    );
    // A text refused in the call another batch made: refused here too (the placeholder is empty).
    vectors.forEach((v, i) => {
      if (v.length === 0 && !refused.has(texts[i]!))
        refused.set(texts[i]!, { code: 'FRESHET_EMBEDDING_REJECTED', message: 'the API refused this text' });
    });
    return vectors;
  };
}

/** A superseded text forwarded as a DELETE at its own version (the Kafka tombstone after it removes the product). */
function asDelete(request: EmbedderRequest): EmbedderRequest {
  return { ...request, type: 'DELETE', product: null, text: null, contentHash: null };
}

/** The IndexWrite message of a record: keyed by productId, this hop's traceparent, the source position. */
async function indexMessage(
  deps: EmbedderHandlerDeps,
  { record, request }: { record: StageRecord; request: EmbedderRequest },
  vector: Float32Array | null,
): Promise<Message> {
  const span = startRecordSpan(STAGE, 'embedder.embed', record.headers, {
    'freshet.product_id': request.productId,
    'freshet.event_type': request.type,
  });
  const message = {
    key: request.productId,
    value: await deps.codec.encode(deps.indexTopic, toIndexWrite(request, vector, deps.model)),
    headers: { ...span.outgoing, ...sourceHeaders(record.headers, record) },
  };
  span.end();
  return message;
}

/**
 * A refusal that is about the text (400/422: too long, invalid input). A wrong key, base URL or model
 * (401/403/404), a wrong dimension or a garbled answer is a configuration or API problem: DLQ'ing every text
 * for it would lose the whole stream, so those propagate and the batch is retried, uncommitted.
 */
function refusesText(error: unknown): boolean {
  return isEmbeddingError(error) && error.code === 'FRESHET_EMBEDDING_REJECTED';
}

/**
 * Embeds `texts`, each as its own call: the micro-batcher sends them together in one request, and when the
 * API refuses that request for a bad input (400/422) it splits it down to that input, so only the texts it
 * refuses are marked (and go to the DLQ), and the others are paid for once. Outages and configuration
 * errors propagate.
 */
async function embedRefusingBadTexts(
  embeddings: Embeddings,
  texts: string[],
  refused: Map<string, { code: string; message: string }>,
): Promise<Float32Array[]> {
  const placeholder = new Float32Array(0);
  const results = await Promise.allSettled(texts.map((t) => embeddings.embedMany([t])));
  return results.map((r, i) => {
    if (r.status === 'fulfilled') return r.value[0]!;
    const error = r.reason as unknown;
    if (!refusesText(error) || !isEmbeddingError(error)) throw error;
    refused.set(texts[i]!, { code: error.code, message: error.message });
    return placeholder;
  });
}
