/**
 * Blue/green re-index (DESIGN §5): build `<alias>_v<N+1>` for a new model, dimension or template while the
 * live pipeline keeps writing `<alias>_v<N>`, verify, swap the alias in one step, hand the pipeline over.
 *
 * Why this design. The new collection is built by a consumer group of its own over
 * `freshet.embed-requests` (the router's validated events, keyed and ordered per product), read from the
 * earliest retained offset: the history is the backfill and the tail is the live dual-write, in one
 * ordered stream, so per-product version order holds without a second source to reconcile. Each batch goes
 * through the writer's own version guard (collapseByVersion, tombstones shared by both sides), so whatever
 * the relative speed of the two sides, each converges to the highest version of every product. Only the
 * texts that win a batch are embedded with the new model. Rebuilding from the old collection's rows is not
 * possible (Milvus holds neither the description nor the attributes the text needs), and a writer-side
 * dual write would need the embedder to produce two vectors per event. The live writer and embedder are
 * pinned to the physical collection they started on, so after the swap they can never put old-model
 * vectors into the new collection.
 *
 * Phases: create → build (until the builder's lag is at most `caughtUpLag`) → verify (every product
 * present with the same version on both sides, in rounds until no mismatch persists; sampled vectors of
 * the new dimension and model that find themselves) → swap (alterAlias; the old collection stays) →
 * handover: once the operator has stopped the router, embedder and writer, the builder drains the rest of
 * the embed-requests, stops, and its offsets become the embedder group's (the writer group skips the
 * queued old-model writes, which the builder covered); the stages are then started with the new model.
 * Any failure or interruption before the handover rolls back: the alias returns to the old collection
 * (which the pinned live pipeline kept current) and the new collection is dropped with its builder group.
 * Searches never see a half-built collection: the alias moves only after verification, and a searcher
 * that resolves the alias's physical collection and model (searchThroughAlias) keeps a consistent view.
 */
import { createEmbeddingClient, type EmbeddingClient, type EmbeddingConfig } from '@freshet/embedding';
import { type Admin, groupLag, type Kafka, StageRunner, sleep } from '@freshet/kafka';
import {
  createPhysical,
  describeAlias,
  dropPhysical,
  type IndexModel,
  listPhysical,
  type MilvusClient,
  physicalName,
  swapAlias,
  tombstoneName,
} from '@freshet/milvus';
import { type AvroCodec, TEMPLATE_VERSIONS } from '@freshet/schemas';
import { createMetrics, type Logger, Registry } from '@freshet/telemetry';
import { type BuilderStats, createBuilderHandler, emptyStats } from './builder.js';
import { handOverOffsets, waitGroupsIdle } from './handover.js';
import {
  type CountCheck,
  checkSampleVectors,
  ReindexVerificationError,
  type SampleCheck,
  snapshot,
  spreadSample,
  verifyConverged,
} from './verify.js';

export type ReindexPhase =
  | 'created'
  | 'building'
  | 'caught-up'
  | 'verified'
  | 'swapped'
  | 'awaiting-handover'
  | 'handed-over'
  | 'rolled-back'
  | 'done';

export interface ReindexOptions {
  kafka: Kafka;
  milvus: MilvusClient;
  codec: AvroCodec;
  /** The alias searchers use (FRESHET_COLLECTION). */
  alias: string;
  /** input: the source offsets in the embed-requests' headers are positions in it (tombstone replays). */
  topics: { input: string; embed: string; index: string };
  /** The live stages' consumer groups (handover) and the builder's (default `<alias>.reindex.v<N+1>`). */
  groups: { router: string; embedder: string; writer: string; builder?: string };
  /** The new model: provider, model, dimension, key… (same shape as the embedder's). */
  embedding: EmbeddingConfig;
  templateVersion: number;
  /** The router's FRESHET_TEXT_ATTRIBUTES. */
  attributes: readonly string[];
  logger: Logger;
  /** Where the builder's and embedding client's metrics go (default: a private registry). */
  registry?: Registry;
  consumer?: { sessionTimeoutMs: number; heartbeatIntervalMs: number };
  retry?: { baseMs: number; maxMs: number };
  partitionsConcurrency?: number;
  /**
   * Builder lag (records) at which verification starts. Default 50: under live traffic the lag is rarely 0
   * twice in a row, and verification tolerates writes in flight anyway.
   */
  caughtUpLag?: number;
  verify?: { rounds?: number; intervalMs?: number; sample?: number };
  pollMs?: number;
  onPhase?: (phase: ReindexPhase, detail: Record<string, unknown>) => void;
  signal?: AbortSignal;
}

export interface ReindexResult {
  alias: string;
  from: string;
  to: string;
  model: IndexModel;
  counts: CountCheck;
  sample: SampleCheck;
  builder: BuilderStats;
  handedOver: boolean;
}

export class ReindexError extends Error {
  override readonly name = 'ReindexError';
  readonly code = 'FRESHET_REINDEX';
}

export async function reindex(options: ReindexOptions): Promise<ReindexResult> {
  const { milvus, alias, logger } = options;
  const phase = (p: ReindexPhase, detail: Record<string, unknown> = {}) => {
    logger.info({ phase: p, ...detail }, `reindex: ${p}`);
    options.onPhase?.(p, detail);
  };
  if (!TEMPLATE_VERSIONS.includes(options.templateVersion)) {
    throw new ReindexError(
      `unknown embedding-text template version ${options.templateVersion} (known: ${TEMPLATE_VERSIONS.join(', ')})`,
    );
  }
  const current = await describeAlias(milvus, alias);
  if (!current) throw new ReindexError(`alias ${alias} does not exist; start the writer once to create it`);
  const versions = await listPhysical(milvus, alias);
  const to = physicalName(alias, Math.max(0, ...versions) + 1);
  const builderGroup = options.groups.builder ?? `${alias}.reindex.${to.slice(alias.length + 1)}`;

  const registry = options.registry ?? new Registry();
  const metrics = createMetrics('reindex', registry);
  const embeddings: EmbeddingClient = createEmbeddingClient(options.embedding, { registry, logger });
  const model: IndexModel = {
    model: embeddings.model,
    dimension: embeddings.dimension,
    templateVersion: options.templateVersion,
  };
  const stats = emptyStats();
  const runner = new StageRunner({
    stage: 'reindex',
    kafka: options.kafka,
    groupId: builderGroup,
    topic: options.topics.embed,
    logger,
    metrics,
    partitionsConcurrency: options.partitionsConcurrency ?? 3,
    retry: options.retry ?? { baseMs: 200, maxMs: 5000 },
    // Short fetch waits: the builder follows a live topic, and a stop should not wait out a long poll.
    consumer: {
      ...(options.consumer ?? { sessionTimeoutMs: 30000, heartbeatIntervalMs: 3000 }),
      maxWaitTimeInMs: 500,
    },
    handler: createBuilderHandler({
      codec: options.codec,
      milvus,
      target: { products: to, tombstones: tombstoneName(alias) },
      embeddings,
      model,
      inputTopic: options.topics.input,
      attributes: options.attributes,
      logger,
      stats,
    }),
  });
  embeddings.breaker.onOpen(() => runner.pause('embedding API breaker open'));
  embeddings.breaker.onClose(() => runner.resume('embedding API breaker closed'));

  const admin = options.kafka.admin();
  await admin.connect();
  const pollMs = options.pollMs ?? 250;
  let stopped = false;
  let swapped = false;
  // From the first offset the handover sets there is no going back: the live groups now follow the builder.
  let committed = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await runner.stop(10_000);
    await embeddings.close({ graceMs: 1000 });
  };
  try {
    await createPhysical(milvus, to, model.dimension, model);
    phase('created', { from: current.physical, to, model, builderGroup });
    await runner.start();
    phase('building');
    await waitLag(
      admin,
      builderGroup,
      options.topics.embed,
      options.caughtUpLag ?? 50,
      pollMs,
      options.signal,
    );
    phase('caught-up', { ...stats });

    const counts = await verifyConverged(
      milvus,
      { old: current.physical, new: to },
      { rounds: options.verify?.rounds ?? 20, intervalMs: options.verify?.intervalMs ?? 500 },
    );
    const ids = [...(await snapshot(milvus, to)).keys()];
    const sample = await checkSampleVectors(
      milvus,
      to,
      model,
      spreadSample(ids, options.verify?.sample ?? 20),
    );
    if (sample.problems.length > 0) {
      throw new ReindexVerificationError(`sampled vectors of ${to}: ${sample.problems.join('; ')}`, []);
    }
    phase('verified', { ...counts, sampled: sample.sampled });

    await swapAlias(milvus, alias, to);
    swapped = true;
    phase('swapped', { alias, from: current.physical, to });

    let handedOver = false;
    {
      const live = [options.groups.router, options.groups.embedder, options.groups.writer];
      phase('awaiting-handover', { stop: live });
      await waitGroupsIdle(admin, live, { pollMs, ...(options.signal ? { signal: options.signal } : {}) });
      // The router is stopped: what is left on the embed-requests is finite; apply all of it.
      await waitLag(admin, builderGroup, options.topics.embed, 0, pollMs, options.signal);
      await stop();
      committed = true;
      const offsets = await handOverOffsets(admin, {
        builderGroup,
        embedGroup: options.groups.embedder,
        embedTopic: options.topics.embed,
        writerGroup: options.groups.writer,
        indexTopic: options.topics.index,
      });
      handedOver = true;
      phase('handed-over', { offsets, start: { model: model.model, dimension: model.dimension } });
    }
    await stop();
    phase('done', { ...stats });
    return { alias, from: current.physical, to, model, counts, sample, builder: { ...stats }, handedOver };
  } catch (error) {
    if (committed) throw error;
    // Failed, interrupted or never handed over: the live pipeline still writes the old collection (it is
    // pinned there and its offsets are untouched), so searches go back to it, and the unfollowed new
    // collection goes with its builder group (together, so a rerun never resumes a group into a fresh
    // collection).
    await stop().catch(() => {});
    if (swapped) await swapAlias(milvus, alias, current.physical);
    await dropPhysical(milvus, to).catch(() => {});
    await admin.deleteGroups([builderGroup]).catch(() => {});
    phase('rolled-back', { alias, physical: current.physical, dropped: to, reason: String(error) });
    throw error;
  } finally {
    await stop().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** Polls the builder group's total lag until it is at most `max` twice in a row. */
async function waitLag(
  admin: Admin,
  group: string,
  topic: string,
  max: number,
  pollMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let streak = 0;
  for (;;) {
    const lag = (await groupLag(admin, group, topic)).reduce((sum, p) => sum + p.lag, 0);
    streak = lag <= max ? streak + 1 : 0;
    if (streak >= 2) return;
    await sleep(pollMs, signal);
  }
}

/**
 * `--drop-old`: drops every `<alias>_v<N>` the alias does not point at (run once the new collection has
 * served for a while; until then swapping back is one alterAlias).
 */
export async function dropOldCollections(client: MilvusClient, alias: string): Promise<string[]> {
  const live = await describeAlias(client, alias);
  if (!live) throw new ReindexError(`alias ${alias} does not exist`);
  const dropped: string[] = [];
  for (const v of await listPhysical(client, alias)) {
    const name = physicalName(alias, v);
    if (name === live.physical) continue;
    await dropPhysical(client, name);
    dropped.push(name);
  }
  return dropped;
}
