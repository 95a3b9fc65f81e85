import type { StageRecord } from '@freshet/kafka';
import { type AvroCodec, DecodeError, type ProductEvent, UNKNOWN_VERSION } from '@freshet/schemas';

export type DecodedEvent = { ok: true; event: ProductEvent } | { ok: false; code: string; message: string };

/**
 * Decodes a ProductEvent (v1 or v2) from the registry. A Kafka tombstone is a DELETE of its key at an
 * unknown version. Bad bytes are a DLQ entry; a registry outage throws so the batch is retried.
 */
export async function decodeProductEvent(codec: AvroCodec, record: StageRecord): Promise<DecodedEvent> {
  if (record.value === null) {
    const productId = record.key?.toString('utf8') ?? '';
    return {
      ok: true,
      event: {
        eventId: `tombstone:${record.topic}:${record.partition}:${record.offset}`,
        type: 'DELETE',
        productId,
        version: UNKNOWN_VERSION,
        occurredAt: Number(record.timestamp),
        product: null,
        price: null,
        stock: null,
      },
    };
  }
  try {
    return { ok: true, event: (await codec.decode<ProductEvent>(record.value)).value };
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
