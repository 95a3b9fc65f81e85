import { type AvroCodec, DecodeError, type IndexWrite } from '@freshet/schemas';

export type DecodedWrite = { ok: true; write: IndexWrite } | { ok: false; code: string; message: string };

/** The model of the collection the writer writes (its recorded `freshet.model`, equal to the writer's). */
export interface CollectionModel {
  model: string;
  dimension: number;
}

/**
 * Decodes an IndexWrite and checks what Milvus would refuse anyway (vector size and dimension), so a bad
 * record goes to the DLQ on its own instead of failing its whole batch. Registry outages throw.
 */
export async function decodeIndexWrite(
  codec: AvroCodec,
  value: Buffer | null,
  collection: CollectionModel,
): Promise<DecodedWrite> {
  if (value === null)
    return { ok: false, code: 'FRESHET_NOT_AVRO', message: 'null value on the index-writes topic' };
  let write: IndexWrite;
  try {
    write = (await codec.decode<IndexWrite>(value)).value;
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
  const mixed = modelMismatch(write, collection);
  if (mixed) return { ok: false, code: 'FRESHET_MODEL_MISMATCH', message: mixed };
  if (write.op === 'UPSERT') {
    const { dimension } = collection;
    if (write.vector === null || write.vector.length !== dimension * 4) {
      return {
        ok: false,
        code: 'FRESHET_DIMENSION_MISMATCH',
        message: `vector of dimension ${write.dimension} (${write.vector?.length ?? 0} bytes) does not fit the collection's ${dimension}`,
      };
    }
    if (write.contentHash === null || write.title === null) {
      return { ok: false, code: 'FRESHET_INCOMPLETE_WRITE', message: 'UPSERT without title or content hash' };
    }
  }
  return { ok: true, write };
}

/**
 * A row is written only with the model of its collection (issue 14): an UPSERT made by another model or
 * dimension (a replica left on the old configuration, a hand-over) is refused. PARTIAL and DELETE carry no
 * vector (model null, dimension 0) and touch none, so they fit any collection and are not compared. The
 * template version is not on the record; the embedder checks it against the collection at start.
 */
export function modelMismatch(write: IndexWrite, collection: CollectionModel): string | null {
  if (write.op !== 'UPSERT') return null;
  if (write.model === collection.model && write.dimension === collection.dimension) return null;
  return `vector made by ${write.model ?? 'no model'} (${write.dimension} dimensions) for a collection of ${collection.model} (${collection.dimension} dimensions)`;
}
