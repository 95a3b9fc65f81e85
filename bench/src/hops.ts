import type { BenchKafka } from './kafka.js';
import { percentile } from './stats.js';

/** When each stage produced a sampled event's record, from the Kafka timestamps of its output topics. */
export interface HopSample {
  productId: string;
  version: number;
  occurredAt: number;
  seenAt: number;
  type: string;
}

interface Hops {
  router: { p50Ms: number; p99Ms: number };
  embedder: { p50Ms: number; p99Ms: number };
  writer: { p50Ms: number; p99Ms: number };
}

export interface HopBreakdown {
  /** Samples found in both internal topics. */
  matched: number;
  /** p50/p99 ms of each hop: occurredAt → router's output, → embedder's output, → seen in Milvus. */
  router: { p50Ms: number; p99Ms: number };
  embedder: { p50Ms: number; p99Ms: number };
  writer: { p50Ms: number; p99Ms: number };
  /** The same hops for price/stock events (no API call) and for text events (CREATE/UPDATE). */
  byKind: { passThrough: Hops; text: Hops };
}

/** productId/version → Kafka timestamp of every record of `topic` produced since `since`. */
async function timestampsSince(
  bk: BenchKafka,
  topic: string,
  since: number,
  groupId: string,
): Promise<Map<string, number>> {
  const starts = await bk.admin.fetchTopicOffsetsByTimestamp(topic, since);
  const ends = await bk.admin.fetchTopicOffsets(topic);
  const remaining = new Map<number, bigint>();
  for (const e of ends) {
    const start = BigInt(starts.find((s) => s.partition === e.partition)?.offset ?? e.high);
    if (BigInt(e.high) > start) remaining.set(e.partition, BigInt(e.high));
  }
  const out = new Map<string, number>();
  if (remaining.size === 0) return out;
  const consumer = bk.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.value === null) continue;
          const { value } = await bk.codec.decode<{ productId: string; version: number }>(m.value);
          out.set(`${value.productId}@${value.version}`, Number(m.timestamp));
        }
        const end = remaining.get(batch.partition);
        if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(batch.partition);
        if (remaining.size === 0) resolve();
      },
    });
  });
  for (const s of starts) consumer.seek({ topic, partition: s.partition, offset: s.offset });
  await Promise.race([done, new Promise((r) => setTimeout(r, 60000))]);
  await consumer.disconnect();
  await bk.admin.deleteGroups([groupId]).catch(() => {});
  return out;
}

/**
 * Where the freshness goes: for each sampled event, the time until the router produced its EmbedRequest,
 * then until the embedder produced its IndexWrite, then until a Milvus query returned it.
 */
export async function hopBreakdown(
  bk: BenchKafka,
  topics: { embed: string; index: string },
  samples: readonly HopSample[],
  since: number,
  groupPrefix: string,
): Promise<HopBreakdown> {
  const routed = await timestampsSince(bk, topics.embed, since, `${groupPrefix}.hops-embed`);
  const embedded = await timestampsSince(bk, topics.index, since, `${groupPrefix}.hops-index`);
  const q = (xs: number[]) => ({ p50Ms: percentile(xs, 50), p99Ms: percentile(xs, 99) });
  const hops = (of: readonly HopSample[]) => {
    const r: number[] = [];
    const e: number[] = [];
    const w: number[] = [];
    for (const s of of) {
      const key = `${s.productId}@${s.version}`;
      const t1 = routed.get(key);
      const t2 = embedded.get(key);
      if (t1 === undefined || t2 === undefined) continue;
      r.push(t1 - s.occurredAt);
      e.push(t2 - t1);
      w.push(s.seenAt - t2);
    }
    return { matched: r.length, router: q(r), embedder: q(e), writer: q(w) };
  };
  const text = (s: HopSample) => s.type === 'CREATE' || s.type === 'UPDATE';
  const { matched: _p, ...passThrough } = hops(samples.filter((s) => !text(s)));
  const { matched: _t, ...texts } = hops(samples.filter(text));
  return { ...hops(samples), byKind: { passThrough, text: texts } };
}
