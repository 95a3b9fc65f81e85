import { createHash } from 'node:crypto';
import type { AvroCodec } from '@freshet/schemas';
import { itemKey, type StreamItem } from '@freshet/testkit';
import type { Kafka, Message, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/** A bad input as produced: what the DLQ must hold for it (key, original bytes, reason). */
export interface ProducedBad {
  key: string;
  valueHash: string;
  reason: string;
}

export function valueHash(value: Buffer | null): string {
  return value === null ? 'null' : createHash('sha256').update(value).digest('hex');
}

/**
 * The catalog's producers during a chaos run: the stream goes out in order, keyed by product id with the
 * Java partitioner, at a steady rate. `hold()` makes it buffer (as a real producer does while the broker
 * is down), so nothing is half-sent and the oracle knows exactly what was produced.
 */
export class PacedProducer {
  readonly produced: StreamItem[] = [];
  readonly bad: ProducedBad[] = [];
  private producer: Producer;
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private schemaId = 0;

  constructor(
    kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.schemaId = await this.codec.register(this.topic, 'ProductEvent.v1');
  }

  /** Stops sending after the chunk in flight; resolves when that chunk is acknowledged. */
  async hold(): Promise<void> {
    if (!this.held) this.held = new Promise((resolve) => (this.release = resolve));
    await this.inFlight;
  }

  resume(): void {
    this.release?.();
    this.held = null;
    this.release = null;
  }

  /** Produces `items` at `perSecond` in chunks of `chunk`; resolves when all are acknowledged. */
  async produce(items: readonly StreamItem[], perSecond: number, chunk = 50): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < items.length; i += chunk) {
      while (this.held) await this.held;
      const due = started + (i / perSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (this.held) await this.held;
      const part = items.slice(i, i + chunk);
      const send = this.send(part);
      this.inFlight = send.catch(() => {});
      await send;
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => {});
  }

  private async send(items: readonly StreamItem[]): Promise<void> {
    const messages: Message[] = [];
    const bad: ProducedBad[] = [];
    for (const item of items) {
      const key = itemKey(item);
      if (item.kind === 'tombstone') messages.push({ key, value: null });
      else if (item.kind === 'event')
        messages.push({ key, value: await this.codec.encodeWith(this.schemaId, item.event) });
      else {
        const value = await item.input.value((e) => this.codec.encodeWith(this.schemaId, e));
        messages.push({ key, value });
        bad.push({ key, valueHash: valueHash(value), reason: item.input.reason });
      }
    }
    await this.producer.send({ topic: this.topic, messages, acks: -1 });
    this.produced.push(...items);
    this.bad.push(...bad);
  }
}
