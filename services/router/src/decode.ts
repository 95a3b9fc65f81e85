import { createHash } from 'node:crypto';
import type { StageRecord } from '@freshet/kafka';
import { type AvroCodec, DecodeError, type ProductEvent, UNKNOWN_VERSION } from '@freshet/schemas';

export type Decoded =
  | { ok: true; event: ProductEvent; tombstone: boolean }
  /** Bad bytes (FRESHET_NOT_AVRO, FRESHET_UNKNOWN_SCHEMA, FRESHET_AVRO_DECODE): the record goes to the DLQ. */
  | { ok: false; error: DecodeError };

/**
 * Decodes a ProductEvent with the writer's schema from the registry, so v1 and v2 producers work side
 * by side (a v1 event has no `locale`). A Kafka tombstone is a DELETE of its key at UNKNOWN_VERSION
 * (DESIGN §2). A registry outage is not bad input: it throws, and the runner retries the batch.
 */
export async function decodeProductEvent(codec: AvroCodec, record: StageRecord): Promise<Decoded> {
  if (record.value === null) return { ok: true, event: tombstoneEvent(record), tombstone: true };
  try {
    const { value } = await codec.decode<ProductEvent>(record.value);
    return { ok: true, event: value, tombstone: false };
  } catch (error) {
    if (error instanceof DecodeError && !error.canRetry) return { ok: false, error };
    throw error;
  }
}

function tombstoneEvent(record: StageRecord): ProductEvent {
  return {
    // Derived from the record's position, so a redelivered tombstone is recognised as a duplicate.
    eventId: `tombstone-${createHash('sha256')
      .update(`${record.topic}\u0000${record.partition}\u0000${record.offset}`)
      .digest('hex')
      .slice(0, 32)}`,
    type: 'DELETE',
    productId: record.key === null ? '' : record.key.toString('utf8'),
    version: UNKNOWN_VERSION,
    occurredAt: Number(record.timestamp),
    product: null,
    price: null,
    stock: null,
  };
}
