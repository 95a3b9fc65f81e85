import { type AvroCodec, DecodeError, type EmbedRequest } from '@freshet/schemas';

export type DecodedRequest =
  | { ok: true; request: EmbedRequest }
  | { ok: false; code: string; message: string };

/** Decodes an EmbedRequest; bad bytes are a DLQ entry, a registry outage throws (batch retried). */
export async function decodeEmbedRequest(codec: AvroCodec, value: Buffer | null): Promise<DecodedRequest> {
  if (value === null)
    return { ok: false, code: 'FRESHET_NOT_AVRO', message: 'null value on the embed-requests topic' };
  try {
    return { ok: true, request: (await codec.decode<EmbedRequest>(value)).value };
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
