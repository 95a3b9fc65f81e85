import type { Admin, Kafka, Producer } from '@freshet/kafka';
import { readRanges, wholeTopic } from './topic-reader.js';

/**
 * The replay log: a compacted topic with one record per DLQ entry already sent back, so a second
 * `dlq replay` (by anyone, with any filter) never sends an entry twice. A consumer group's committed
 * offset cannot do this: a filtered replay skips entries that a later replay must still see.
 */
export async function ensureReplayLog(
  admin: Admin,
  topic: string,
  replicationFactor: number,
): Promise<boolean> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return false;
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
  } catch (error) {
    if (!/already exists/i.test(String((error as Error).message))) throw error;
    return false;
  }
  return true;
}

export async function replayedKeys(kafka: Kafka, admin: Admin, topic: string): Promise<Set<string>> {
  const records = await readRanges(kafka, admin, topic, await wholeTopic(admin, topic));
  return new Set(
    records.filter((r) => r.value !== null && r.key !== null).map((r) => r.key!.toString('utf8')),
  );
}

export interface ReplayMark {
  key: string;
  target: string;
  reason: string;
  stage: string;
}

export async function markReplayed(
  producer: Producer,
  topic: string,
  marks: readonly ReplayMark[],
): Promise<void> {
  if (marks.length === 0) return;
  const at = Date.now();
  await producer.send({
    topic,
    acks: -1,
    messages: marks.map((m) => ({
      key: m.key,
      value: JSON.stringify({ target: m.target, reason: m.reason, stage: m.stage, replayedAt: at }),
    })),
  });
}
