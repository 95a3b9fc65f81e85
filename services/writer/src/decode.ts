import { type AvroCodec, DecodeError, type IndexWrite } from '@freshet/schemas';

export type DecodedWrite = { ok: true; write: IndexWrite } | { ok: false; code: string; message: string };

/**
 * Decodes an IndexWrite and checks what Milvus would refuse anyway (vector size and dimension), so a bad
 * record goes to the DLQ on its own instead of failing its whole batch. Registry outages throw.
 */
export async function decodeIndexWrite(
  codec: AvroCodec,
  value: Buffer | null,
  dimension: number,
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
  if (write.op === 'UPSERT') {
    if (write.vector === null || write.dimension !== dimension || write.vector.length !== dimension * 4) {
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
