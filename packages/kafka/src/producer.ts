import type { Kafka, Message, Producer } from 'kafkajs';
import { JavaCompatiblePartitioner } from './partition.js';

/**
 * A producer that keeps per-key order under retries (one in-flight request per broker) and waits
 * for all in-sync replicas, with the Java-compatible partitioner (DESIGN §1).
 */
export function createOrderedProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: JavaCompatiblePartitioner,
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
  // for…in, not Object.entries: this runs for every record a stage produces.
  const headers = m.headers;
  for (const k in headers) {
    const v = headers[k];
    size += k.length;
    if (Array.isArray(v)) for (const x of v) size += headerLength(x);
    else size += headerLength(v);
  }
  return size;
}

// Strings and Buffers by their length; anything else a JavaScript caller slipped past the types as its string.
const headerLength = (v: unknown) =>
  typeof v === 'string' || Buffer.isBuffer(v) ? v.length : v == null ? 0 : String(v).length;

/**
 * Consecutive chunks of at most `maxBytes` each (a single larger record goes alone), in order, with their
 * byte counts (each record measured once).
 */
export function chunkBySize(
  messages: readonly Message[],
  maxBytes = MAX_REQUEST_BYTES,
): Array<{ messages: Message[]; bytes: number }> {
  const chunks: Array<{ messages: Message[]; bytes: number }> = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = recordBytes(m);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push({ messages: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ messages: current, bytes });
  return chunks;
}

/**
 * Sends `messages` to `topic` with acks=all, in requests of at most MAX_REQUEST_BYTES, one after the other
 * (so per-key order holds); resolves only when the broker acknowledged every one.
 *
 * Calls made while a request of the same producer is in flight are sent together in the next one (see
 * SendCoalescer): with one request in flight per broker, a stage's partitions otherwise queue one round
 * trip each behind each other.
 */
export function produceAll(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  if (messages.length === 0) return Promise.resolve();
  let coalescer = coalescers.get(producer);
  if (!coalescer) {
    coalescer = new SendCoalescer(producer);
    coalescers.set(producer, coalescer);
  }
  return coalescer.send(topic, messages);
}

const coalescers = new WeakMap<Producer, SendCoalescer>();

interface Caller {
  resolve(): void;
  reject(error: unknown): void;
  /** Chunks not yet acknowledged. */
  left: number;
  failed: boolean;
}

interface Chunk {
  topic: string;
  messages: Message[];
  bytes: number;
  caller: Caller;
}

/**
 * One produce request at a time per producer, carrying everything queued since the last one went out (the
 * Java producer's accumulator with linger.ms=0): no waiting when idle, one round trip for many callers
 * when busy. Order holds: chunks go out in the order they were queued, a topic's messages in call order.
 * A failed request fails its callers, and their chunks still queued are dropped, so nothing of a failed
 * call lands after it (the caller retries it whole).
 */
export class SendCoalescer {
  private queue: Chunk[] = [];
  private sending = false;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly maxRequestBytes = MAX_REQUEST_BYTES,
    /** Called with the number of calls each request carried (tests). */
    private readonly onRequest?: (calls: number) => void,
  ) {}

  send(topic: string, messages: Message[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const chunks = chunkBySize(messages, this.maxRequestBytes);
      const caller: Caller = { resolve, reject, left: chunks.length, failed: false };
      for (const c of chunks) this.queue.push({ topic, messages: c.messages, bytes: c.bytes, caller });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const taken = this.take();
        const byTopic = new Map<string, Message[]>();
        for (const c of taken) {
          const messages = byTopic.get(c.topic);
          if (messages) messages.push(...c.messages);
          else byTopic.set(c.topic, [...c.messages]);
        }
        const callers = new Set(taken.map((c) => c.caller));
        this.onRequest?.(callers.size);
        try {
          await this.producer.sendBatch({
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
            acks: -1,
          });
        } catch (error) {
          for (const caller of callers) {
            caller.failed = true;
            caller.reject(error);
          }
          this.queue = this.queue.filter((c) => !c.caller.failed);
          continue;
        }
        for (const c of taken) {
          c.caller.left -= 1;
          if (c.caller.left === 0) c.caller.resolve();
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The queue's head up to the request budget (at least one chunk). */
  private take(): Chunk[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= this.maxRequestBytes)) {
      bytes += this.queue[n]!.bytes;
      n += 1;
    }
    return this.queue.splice(0, n);
  }
}
