import { randomUUID } from 'node:crypto';
import type { Admin, IHeaders, Kafka } from '@freshet/kafka';
import { CliError } from './errors.js';

export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Offsets [from, to) of one partition. */
export interface OffsetRange {
  partition: number;
  from: bigint;
  to: bigint;
}

/** Every partition from its low to its high watermark: what the topic holds right now. */
export async function wholeTopic(admin: Admin, topic: string): Promise<OffsetRange[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, from: BigInt(o.low), to: BigInt(o.high) }));
}

/**
 * Reads the given offset ranges and stops: a throwaway consumer group that never commits (kafkajs has no
 * manual assignment), seeking each partition to its start and pausing it at its end. The group is deleted
 * afterwards so reads leave nothing behind on the brokers.
 */
export async function readRanges(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  ranges: readonly OffsetRange[],
  timeoutMs = 60000,
): Promise<TopicRecord[]> {
  // Clamp to what the partitions hold now: a range past the high watermark would wait for ever.
  const held = new Map(
    (await admin.fetchTopicOffsets(topic)).map((o) => [
      o.partition,
      { low: BigInt(o.low), high: BigInt(o.high) },
    ]),
  );
  const wanted = ranges
    .map((r) => {
      const h = held.get(r.partition);
      return h ? { partition: r.partition, from: max(r.from, h.low), to: min(r.to, h.high) } : undefined;
    })
    .filter((r): r is OffsetRange => r !== undefined && r.from < r.to);
  if (wanted.length === 0) return [];
  const pending = new Map(wanted.map((r) => [r.partition, r]));
  const records: TopicRecord[] = [];
  const groupId = `freshet-cli-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const all = [...held.keys()];
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < range.from || offset >= range.to) continue;
          records.push({
            topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key,
            value: m.value,
            headers: m.headers ?? {},
          });
        }
        if (BigInt(batch.lastOffset()) + 1n >= range.to) {
          pending.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          if (pending.size === 0) finish();
        }
      },
    });
    // kafkajs accepts pause and seek only once run() has started; records outside the ranges are ignored.
    const idle = all.filter((p) => !pending.has(p));
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    for (const r of wanted) consumer.seek({ topic, partition: r.partition, offset: r.from.toString() });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CliError(
              'FRESHET_READ_TIMEOUT',
              `reading ${topic} did not reach the end offsets within ${timeoutMs} ms (partitions ${[...pending.keys()].join(',')} pending)`,
            ),
          ),
        timeoutMs,
      );
    });
    await Promise.race([finished, timedOut]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
