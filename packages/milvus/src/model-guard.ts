import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { IndexModel } from './collection.js';
import { call } from './errors.js';

/**
 * One collection, one model (DESIGN §5, issue 14): vectors of two models in one field are garbage no search
 * can detect, so a stage or a search configured for another model than the collection's refuses to run.
 * Not retryable: only a re-index, another collection or another configuration fixes it.
 */
export class ModelMismatchError extends Error {
  override readonly name = 'ModelMismatchError';
  readonly code = 'FRESHET_MODEL_MISMATCH';
  readonly canRetry = false;
  constructor(
    message: string,
    readonly collection: { alias: string; physical: string; model: IndexModel | RowModel },
    readonly configured: ConfiguredModel,
  ) {
    super(message);
  }
}

/** What a stage is configured with; a search has no template (its query is the user's text). */
export type ConfiguredModel = Omit<IndexModel, 'templateVersion'> & { templateVersion?: number };

/** A collection of the older layout, judged by its rows: their `model` field and the vector dimension. */
export type RowModel = Omit<IndexModel, 'templateVersion'> & { templateVersion?: undefined };

export function describeIndexModel(m: IndexModel | RowModel | ConfiguredModel): string {
  const template = m.templateVersion === undefined ? '' : `, template ${m.templateVersion}`;
  return `${m.model} (${m.dimension} dimensions${template})`;
}

/**
 * Throws ModelMismatchError when `configured` differs from the collection's recorded model in model id,
 * dimension or (when both have one) template version. `who` names the refusing side in the message.
 */
export function checkModel(
  collection: { alias: string; physical: string; model: IndexModel | RowModel },
  configured: ConfiguredModel,
  who: string,
): void {
  const recorded = collection.model;
  const same =
    recorded.model === configured.model &&
    recorded.dimension === configured.dimension &&
    (recorded.templateVersion === undefined ||
      configured.templateVersion === undefined ||
      recorded.templateVersion === configured.templateVersion);
  if (same) return;
  const template =
    configured.templateVersion === undefined ? '' : ` --template ${configured.templateVersion}`;
  throw new ModelMismatchError(
    `collection ${collection.alias} (${collection.physical}) holds vectors of ` +
      `${describeIndexModel(recorded)}, but ${who} is configured for ${describeIndexModel(configured)}; ` +
      'vectors of two models cannot share one collection. Either re-index to the new model ' +
      `(freshet reindex --model ${configured.model} --dimensions ${configured.dimension}${template}, ` +
      'then restart the stages with it when asked), or point FRESHET_COLLECTION at another collection, ' +
      `or set FRESHET_EMBEDDING_MODEL/FRESHET_EMBEDDING_DIMENSIONS${recorded.templateVersion === undefined ? '' : '/FRESHET_TEMPLATE_VERSION'} back to the collection's model`,
    collection,
    configured,
  );
}

/**
 * A collection made before the model was recorded (older layout) is judged by its rows: the first row whose
 * `model` field is not `model`, if any. Rows carry the model id but not the template version.
 */
export async function otherRowModel(
  client: MilvusClient,
  physical: string,
  model: string,
): Promise<string | null> {
  const result = await call('query', () =>
    client.query({
      collection_name: physical,
      filter: `model != ${JSON.stringify(model)}`,
      output_fields: ['model'],
      limit: 1,
    }),
  );
  const row = (result.data as Array<Record<string, unknown>>)[0];
  return row === undefined ? null : String(row.model);
}

/** The refusal a stage reports on /readyz for a model mismatch (runStage's `refusal`). */
export function modelRefusal(error: unknown): { check: string; code: string; message: string } | null {
  return error instanceof ModelMismatchError
    ? { check: 'model', code: error.code, message: `${error.code}: ${error.message}` }
    : null;
}
