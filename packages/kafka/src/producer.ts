import type { Kafka, Message, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/**
 * A producer that keeps per-key order under retries (one in-flight request per broker) and waits
 * for all in-sync replicas, with the Java-compatible partitioner (DESIGN §1).
 */
export function createOrderedProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/**
 * Bytes of records per produce request. kafkajs puts a partition's messages of one send in one record
 * batch, and the broker refuses a batch over message.max.bytes (1 MiB by default) with MESSAGE_TOO_LARGE:
 * after an outage a stage fetches a full partition's worth (its output records are bigger than its input,
 * EmbedRequest carries the text, IndexWrite the vector), and one send of it would fail for ever.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** A record's size on the wire, near enough for budgeting (key, value, headers, per-record overhead). */
function recordBytes(m: Message): number {
  let size = 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    size +=
      k.length + (Array.isArray(v) ? v.reduce((n, x) => n + String(x).length, 0) : String(v ?? '').length);
  }
  return size;
}

/** Consecutive chunks of at most `maxBytes` each (a single larger record goes alone), in order. */
export function chunkBySize(messages: readonly Message[], maxBytes = MAX_REQUEST_BYTES): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = recordBytes(m);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Sends `messages` to `topic` with acks=all, in requests of at most MAX_REQUEST_BYTES, one after the other
 * (so per-key order holds); resolves only when the broker acknowledged every one.
 */
export async function produceAll(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (const chunk of chunkBySize(messages)) await producer.send({ topic, messages: chunk, acks: -1 });
}
