import type { IHeaders, Kafka, Message, Producer } from 'kafkajs';
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
 * Bytes per send. The broker refuses a record batch over `message.max.bytes` (1 MiB by default), and a
 * stage's outputs outgrow its inputs (text, vectors): a backlog drained in one consumer batch (up to
 * maxBytesPerPartition) must go out in parts, or the partition is stuck retrying forever.
 */
export const MAX_SEND_BYTES = 512 * 1024;

// Record framing (lengths, attributes, offsets, timestamps) is a few dozen bytes at most.
const RECORD_OVERHEAD = 64;

function size(value: Message['key'] | IHeaders[string]): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((n, v) => n + size(v), 0);
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** Approximate bytes of a record on the wire (uncompressed). */
export function messageBytes(m: Message): number {
  let n = RECORD_OVERHEAD + size(m.key) + size(m.value);
  for (const [name, value] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(name) + size(value);
  return n;
}

/** Consecutive runs of `messages` of at most `maxBytes` each (a larger message alone), order kept. */
export function splitBySize(messages: readonly Message[], maxBytes = MAX_SEND_BYTES): Message[][] {
  const parts: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const n = messageBytes(m);
    if (current.length > 0 && bytes + n > maxBytes) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += n;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/**
 * Sends `messages` to `topic` with acks=all, in parts of at most MAX_SEND_BYTES one after another (so
 * per-key order holds); resolves only when the broker acknowledged every one.
 */
export async function produceAll(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (const part of splitBySize(messages)) await producer.send({ topic, messages: part, acks: -1 });
}
