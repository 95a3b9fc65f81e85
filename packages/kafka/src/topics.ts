import type { TopicsConfig } from '@freshet/config';
import type { Admin, ITopicConfig } from 'kafkajs';
import { TopicLayoutError, TopicsNotReadyError } from './errors.js';

export interface TopicPlan {
  created: string[];
  existing: Array<{ topic: string; partitions: number }>;
}

/**
 * Creates the input, internal and DLQ topics if missing. Internal topics get the input topic's partition
 * count so a product keeps the same partition number at every stage (DESIGN §1); a mismatch is an error
 * rather than a silent reorder.
 */
export async function ensureTopics(admin: Admin, topics: TopicsConfig): Promise<TopicPlan> {
  const names = [topics.input, topics.embed, topics.index, topics.dlq];
  const existing = new Set(await admin.listTopics());
  const counts = new Map<string, number>();
  const present = names.filter((n) => existing.has(n));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present });
    for (const t of metadata.topics) counts.set(t.name, t.partitions.length);
  }
  const partitions = counts.get(topics.input) ?? topics.partitions;
  for (const name of [topics.embed, topics.index]) {
    const count = counts.get(name);
    if (count !== undefined && count !== partitions) {
      throw new TopicLayoutError(
        `topic ${name} has ${count} partitions but ${topics.input} has ${partitions}; per-product order needs equal counts`,
      );
    }
  }
  const toCreate: ITopicConfig[] = names
    .filter((n) => !existing.has(n))
    .map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor: topics.replicationFactor,
      configEntries:
        topic === topics.dlq
          ? [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }]
          : [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
    }));
  if (toCreate.length > 0) {
    try {
      await admin.createTopics({ topics: toCreate, waitForLeaders: true });
    } catch (error) {
      // Two processes provisioning at once: the loser sees TOPIC_ALREADY_EXISTS, which is fine. kafkajs's
      // own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION while the new topic is still propagating
      // (seen on a loaded 2-core machine): that is waited out below.
      const type = (error as { type?: unknown }).type;
      if (
        !/already exists/i.test(String((error as Error).message)) &&
        type !== 'UNKNOWN_TOPIC_OR_PARTITION'
      ) {
        throw error;
      }
    }
    await waitForLeaders(
      admin,
      toCreate.map((t) => t.topic),
    );
  }
  return {
    created: toCreate.map((t) => t.topic),
    existing: [...counts.entries()].map(([topic, p]) => ({ topic, partitions: p })),
  };
}

const LEADER_WAIT_MS = 30_000;

/** Polls metadata until every partition of `topics` has a leader, so the first produce/subscribe succeeds. */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  let last: unknown;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const ready =
        metadata.topics.length === topics.length &&
        metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new TopicsNotReadyError(`topics ${topics.join(', ')} have no leader after ${LEADER_WAIT_MS} ms`, {
        cause: last,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
