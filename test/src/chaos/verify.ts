import { randomBytes } from 'node:crypto';
import { HEADER, headerString } from '@freshet/kafka';
import { allRows, type MilvusClient } from '@freshet/milvus';
import { contentHash, embeddingText } from '@freshet/schemas';
import { buildOracle, type OracleDiff, type StreamItem } from '@freshet/testkit';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { type ProducedBad, valueHash } from './producer.js';

export interface ModelInfo {
  model: string;
  dimension: number;
  templateVersion: number;
  attributes: readonly string[];
}

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders | undefined;
}

/** Every record of `topic` up to its current end, in partition order (a throwaway consumer group). */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string): Promise<TopicRecord[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const pending = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  const out: TopicRecord[] = [];
  if (pending.size === 0) return out;
  const groupId = `chaos-reader-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 120_000);
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = pending.get(batch.partition);
          for (const m of batch.messages) {
            if (end === undefined || BigInt(m.offset) >= end) break;
            out.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? null,
              value: m.value ?? null,
              headers: m.headers,
            });
          }
          const last = batch.messages[batch.messages.length - 1];
          if (end !== undefined && last && BigInt(last.offset) + 1n >= end) pending.delete(batch.partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  await admin.deleteGroups([groupId]).catch(() => {});
  return out;
}

export interface IndexCheck extends OracleDiff {
  expectedPresent: number;
  rows: number;
}

/** Milvus against the oracle of everything produced (catalog first, then the stream). */
export async function checkIndex(
  milvus: MilvusClient,
  collection: string,
  items: readonly StreamItem[],
  model: ModelInfo,
): Promise<IndexCheck> {
  const oracle = buildOracle(items, {
    embeddingText: (p) =>
      embeddingText(p, { templateVersion: model.templateVersion, attributes: [...model.attributes] }),
    contentHash: (t) => contentHash(t, model),
  });
  const rows = await allRows(milvus, collection);
  const diff = oracle.diffAgainst(rows);
  return { ...diff, expectedPresent: oracle.present().length, rows: rows.length };
}

export interface DlqCheck {
  /** Records in the DLQ. */
  total: number;
  /** Distinct bad inputs found (by key and original bytes). */
  distinct: number;
  /** Bad inputs produced. */
  expected: number;
  /** Produced bad inputs not in the DLQ. */
  missing: number;
  /** DLQ records that are not a produced bad input (an outage or a good event DLQ'd: a defect). */
  unexpected: number;
  /** Found with another reason than the one the bad input calls for. */
  wrongReason: number;
  /** Extra copies of a bad input (at-least-once redelivery after a kill). */
  duplicates: number;
  unexpectedReasons: Record<string, number>;
}

/** The DLQ must hold exactly the bad inputs injected on purpose, each with its reason. */
export function checkDlq(records: readonly TopicRecord[], bad: readonly ProducedBad[]): DlqCheck {
  const want = new Map<string, string>();
  for (const b of bad) want.set(`${b.key}\u0000${b.valueHash}`, b.reason);
  const found = new Set<string>();
  let unexpected = 0;
  let wrongReason = 0;
  let duplicates = 0;
  const unexpectedReasons: Record<string, number> = {};
  for (const r of records) {
    const id = `${r.key ?? ''}\u0000${valueHash(r.value)}`;
    const reason = headerString(r.headers, HEADER.dlqReason) ?? 'none';
    const expected = want.get(id);
    if (expected === undefined) {
      unexpected++;
      const label = `${headerString(r.headers, HEADER.dlqStage) ?? '?'}:${reason}`;
      unexpectedReasons[label] = (unexpectedReasons[label] ?? 0) + 1;
      continue;
    }
    if (expected !== reason) wrongReason++;
    if (found.has(id)) duplicates++;
    found.add(id);
  }
  return {
    total: records.length,
    distinct: found.size,
    expected: want.size,
    missing: [...want.keys()].filter((k) => !found.has(k)).length,
    unexpected,
    wrongReason,
    duplicates,
    unexpectedReasons,
  };
}

export interface OrderCheck {
  records: number;
  products: number;
  /** Products whose events reached the index topic out of their input order (first deliveries). */
  violations: number;
  examples: string[];
}

/**
 * Per-product order end to end: in the index topic, the first delivery of each input record (by its
 * source offset header) must come in input order. Redeliveries after a kill or a rebalance repeat a
 * prefix and are skipped; a stage that reorders a product's events breaks the sequence.
 */
export function checkOrder(records: readonly TopicRecord[]): OrderCheck {
  const last = new Map<string, bigint>();
  const seen = new Set<string>();
  let violations = 0;
  const bad = new Set<string>();
  const examples: string[] = [];
  for (const r of records) {
    const key = r.key ?? '';
    const source = `${headerString(r.headers, HEADER.sourcePartition)}:${headerString(r.headers, HEADER.sourceOffset)}`;
    if (seen.has(source)) continue;
    seen.add(source);
    const offset = BigInt(headerString(r.headers, HEADER.sourceOffset) ?? '-1');
    const previous = last.get(key);
    if (previous !== undefined && offset < previous) {
      violations++;
      if (!bad.has(key) && examples.length < 5) examples.push(`${key}: ${offset} after ${previous}`);
      bad.add(key);
    }
    last.set(key, previous !== undefined && previous > offset ? previous : offset);
  }
  return { records: records.length, products: last.size, violations, examples };
}
