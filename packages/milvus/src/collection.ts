import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { forgetSchema, whenMilvusAnswers } from './client.js';
import { call, MilvusRejectedError } from './errors.js';
import { physicalName, productFields, tombstoneFields, tombstoneName, VECTOR_INDEX } from './layout.js';
import { checkModel, otherRowModel } from './model-guard.js';

/**
 * What the vectors of a physical collection were made with, kept as JSON in the collection property
 * `freshet.model` (Milvus Lite 3.2.2 drops a collection's description but keeps its properties): a
 * searcher embeds its query with this model, and a re-index knows what it is replacing.
 */
export interface IndexModel {
  model: string;
  dimension: number;
  templateVersion: number;
}

export const MODEL_PROPERTY = 'freshet.model';

export function describeModel(model: IndexModel): string {
  return JSON.stringify({ freshet: 1, ...model });
}

export function parseModel(description: string | undefined): IndexModel | null {
  if (!description) return null;
  try {
    const v = JSON.parse(description) as Partial<IndexModel> & { freshet?: number };
    if (v.freshet !== 1 || typeof v.model !== 'string') return null;
    if (!Number.isInteger(v.dimension) || !Number.isInteger(v.templateVersion)) return null;
    return { model: v.model, dimension: v.dimension!, templateVersion: v.templateVersion! };
  } catch {
    return null;
  }
}

export interface EnsuredCollection {
  physical: string;
  created: boolean;
  /** An older-layout collection without a recorded model took the configured one (see guardModel). */
  adopted: boolean;
}

export interface EnsureOptions {
  alias: string;
  dimension: number;
  /** The configured model: checked against the collection's (ModelMismatchError), recorded on a new one. */
  model?: IndexModel;
  /** Who is configured, for the mismatch message ("the writer"). */
  who?: string;
}

/**
 * A stage's collection at start: ensured for the stage's model (a mismatch refuses, ModelMismatchError), and
 * waited for while Milvus is down, so a stage started during an outage waits instead of crash-looping. The
 * stage keeps the physical name it gets: after a blue/green swap it stays on its own model's collection.
 */
export function ensureStageCollection(
  client: MilvusClient,
  options: {
    alias: string;
    model: IndexModel;
    who: string;
    retryMs: number;
    onWait: (error: unknown) => void;
  },
): Promise<EnsuredCollection> {
  const { alias, model, who, retryMs, onWait } = options;
  return whenMilvusAnswers(
    () => ensureCollection(client, { alias, dimension: model.dimension, model, who }),
    { retryMs, onWait },
  );
}

/**
 * Makes sure the alias points at a loaded physical collection `<alias>_v<N>` of the right dimension, and
 * that the tombstone collection exists. Idempotent; concurrent callers (writer and embedder start
 * together) both end up with the same collection.
 */
export async function ensureCollection(
  client: MilvusClient,
  options: EnsureOptions,
): Promise<EnsuredCollection> {
  // Milvus Lite has no lock around create: a process racing another (writer and embedder start together)
  // sees "already exists", "[Errno 17] File exists" or "does not exist" for a collection half made by the
  // other. Everything below is idempotent, so looking again settles it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureCollectionOnce(client, options);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const raced =
        code !== 'FRESHET_DIMENSION_MISMATCH' &&
        code !== 'FRESHET_MODEL_MISMATCH' &&
        code !== 'FRESHET_MILVUS_LAYOUT' &&
        CREATE_RACE.test(String((error as Error).message));
      if (!raced || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

const CREATE_RACE = /already exist|File exists|does not exist|not exist/i;

async function ensureCollectionOnce(
  client: MilvusClient,
  options: EnsureOptions,
): Promise<EnsuredCollection> {
  const { alias, dimension } = options;
  const who = options.who ?? 'this stage';
  await ensureTombstones(client, alias);
  const existing = await describeAlias(client, alias);
  if (existing) {
    if (!options.model && existing.dimension !== dimension) {
      throw new MilvusRejectedError(
        `collection ${alias} (${existing.physical}) has dimension ${existing.dimension}, but the embedding model gives ${dimension}; re-index blue/green to change it`,
        { code: 'FRESHET_DIMENSION_MISMATCH' },
      );
    }
    // Milvus Lite cannot add a field to a collection (addCollectionField is a no-op there), so an older
    // layout is refused by name rather than failing on the first write.
    const missing = productFields(existing.dimension)
      .map((f) => f.name)
      .filter((name) => !existing.fields.includes(name));
    if (missing.length > 0) {
      throw new MilvusRejectedError(
        `collection ${alias} (${existing.physical}) lacks the field(s) ${missing.join(', ')} of this freshet version's layout; build a new collection: drop it and backfill (freshet backfill), or locally deploy/local/down --wipe milvus`,
        { code: 'FRESHET_MILVUS_LAYOUT' },
      );
    }
    await call('load', () => client.loadCollection({ collection_name: existing.physical }));
    const adopted = options.model
      ? await guardModel(client, { alias, ...existing }, options.model, who)
      : false;
    return { physical: existing.physical, created: false, adopted };
  }
  const versions = await listPhysical(client, alias);
  const physical = physicalName(alias, versions.length > 0 ? Math.max(...versions) : 1);
  const created = await createPhysical(client, physical, dimension, options.model);
  try {
    await call('createAlias', () => client.createAlias({ collection_name: physical, alias }));
  } catch (error) {
    // Lost a race with another process creating the same alias: fine if it points where we expect.
    const now = await describeAlias(client, alias);
    if (!now) throw error;
    if (options.model) checkModel({ alias, ...now, model: now.model ?? options.model }, options.model, who);
    return { physical: now.physical, created, adopted: false };
  }
  return { physical, created, adopted: false };
}

/**
 * One collection, one model (issue 14). A recorded model must equal the configured one. A collection of
 * the older layout (no `freshet.model`, made before it was recorded) is judged by its rows' `model` field:
 * none of another model (or no rows) → it is adopted, the configured model recorded on it (returns true);
 * rows of another model → refused like a recorded mismatch. The template version of such rows is unknown,
 * so adopting records the configured one.
 */
async function guardModel(
  client: MilvusClient,
  collection: { alias: string; physical: string; dimension: number; model: IndexModel | null },
  configured: IndexModel,
  who: string,
): Promise<boolean> {
  const { alias, physical } = collection;
  if (collection.model) {
    checkModel({ alias, physical, model: collection.model }, configured, who);
    return false;
  }
  const other = await otherRowModel(client, physical, configured.model);
  checkModel(
    { alias, physical, model: { model: other ?? configured.model, dimension: collection.dimension } },
    configured,
    who,
  );
  await call('alterCollectionProperties', () =>
    client.alterCollectionProperties({
      collection_name: physical,
      properties: { [MODEL_PROPERTY]: describeModel(configured) },
    }),
  );
  return true;
}

/** Creates (if missing) and loads a physical products collection with its COSINE index. */
export async function createPhysical(
  client: MilvusClient,
  name: string,
  dimension: number,
  model?: IndexModel,
): Promise<boolean> {
  const has = await call('hasCollection', () => client.hasCollection({ collection_name: name }));
  let created = false;
  if (!has.value) {
    try {
      await call('createCollection', () =>
        client.createCollection({
          collection_name: name,
          fields: productFields(dimension),
          index_params: [VECTOR_INDEX],
          ...(model ? { properties: { [MODEL_PROPERTY]: describeModel(model) } } : {}),
        }),
      );
      created = true;
    } catch (error) {
      if (!/already exist/i.test(String((error as Error).message))) throw error;
    }
  }
  await call('load', () => client.loadCollection({ collection_name: name }));
  return created;
}

async function ensureTombstones(client: MilvusClient, alias: string): Promise<void> {
  const name = tombstoneName(alias);
  const has = await call('hasCollection', () => client.hasCollection({ collection_name: name }));
  if (!has.value) {
    try {
      await call('createCollection', () =>
        client.createCollection({
          collection_name: name,
          fields: tombstoneFields(),
          index_params: [{ field_name: 'placeholder', index_type: 'AUTOINDEX', metric_type: 'L2' }],
        }),
      );
    } catch (error) {
      if (!/already exist/i.test(String((error as Error).message))) throw error;
    }
  }
  await call('load', () => client.loadCollection({ collection_name: name }));
}

/** The physical collection behind `alias` and its vector dimension, or null when the alias does not exist. */
export async function describeAlias(
  client: MilvusClient,
  alias: string,
): Promise<{ physical: string; dimension: number; model: IndexModel | null; fields: string[] } | null> {
  let physical: string;
  try {
    const described = await call('describeAlias', () =>
      client.describeAlias({ alias, collection_name: alias }),
    );
    physical = described.collection;
  } catch (error) {
    if (/not exist|not found|can't find/i.test(String((error as Error).message))) return null;
    throw error;
  }
  if (!physical) return null;
  const collection = await call('describeCollection', () =>
    client.describeCollection({ collection_name: physical }),
  );
  const embedding = collection.schema.fields.find((f) => f.name === 'embedding');
  const dim = Number(
    embedding?.type_params?.find((p) => p.key === 'dim')?.value ??
      (embedding as { dim?: unknown } | undefined)?.dim,
  );
  const property = collection.properties?.find((p) => p.key === MODEL_PROPERTY)?.value;
  return {
    physical,
    dimension: dim,
    model: parseModel(property === undefined ? undefined : String(property)),
    fields: collection.schema.fields.map((f) => f.name),
  };
}

/** Versions N of the physical collections `<alias>_v<N>` that exist. */
export async function listPhysical(client: MilvusClient, alias: string): Promise<number[]> {
  const listed = await call('listCollections', () => client.listCollections());
  const pattern = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_v(\\d+)$`);
  return listed.data
    .map((c) => pattern.exec(c.name)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Points `alias` at `physical` in one step (alterAlias): searches through the alias never see a half-built
 * index. The target is loaded first (Milvus Lite comes back from a restart with collections released), and
 * this client's cached schema of the alias is dropped so its next upsert is shaped by the new collection.
 */
export async function swapAlias(client: MilvusClient, alias: string, physical: string): Promise<void> {
  await call('load', () => client.loadCollection({ collection_name: physical }));
  await call('alterAlias', () => client.alterAlias({ alias, collection_name: physical }));
  forgetSchema(client, alias);
}

export async function dropPhysical(client: MilvusClient, physical: string): Promise<void> {
  await call('dropCollection', () => client.dropCollection({ collection_name: physical }));
  forgetSchema(client, physical);
}

/** Drops the alias, every `<alias>_v<N>` and the tombstones (tests and `freshet` clean-up). */
export async function dropAll(client: MilvusClient, alias: string): Promise<void> {
  await client.dropAlias({ alias }).catch(() => {});
  for (const v of await listPhysical(client, alias))
    await dropPhysical(client, physicalName(alias, v)).catch(() => {});
  await client.dropCollection({ collection_name: tombstoneName(alias) }).catch(() => {});
}
