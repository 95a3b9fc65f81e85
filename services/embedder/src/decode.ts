import { type AvroCodec, DecodeError, type EmbedderRequest, embedderReadSchema } from '@freshet/schemas';

export type DecodedRequest =
  | { ok: true; request: EmbedderRequest }
  | { ok: false; code: string; message: string };

// A product's description, tags, attributes and image URL are skipped, never decoded: the text to embed
// came in `text`, and the IndexWrite carries only the scalars (each held record is about half the size).
const READER = embedderReadSchema();

/** Decodes an EmbedRequest as the embedder reads it; bad bytes are a DLQ entry, a registry outage throws (batch retried). */
export async function decodeEmbedderRequest(codec: AvroCodec, value: Buffer | null): Promise<DecodedRequest> {
  if (value === null)
    return { ok: false, code: 'FRESHET_NOT_AVRO', message: 'null value on the embed-requests topic' };
  try {
    return { ok: true, request: (await codec.decodeAs<EmbedderRequest>(value, READER)).value };
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
