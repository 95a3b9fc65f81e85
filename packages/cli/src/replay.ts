import type { Producer } from '@freshet/kafka';
import {
  type DlqEntry,
  type DlqFilter,
  matches,
  replayHeaders,
  replayKey,
  replayTarget,
  toDlqEntry,
} from './dlq-entry.js';
import { markReplayed } from './replay-log.js';
import type { TopicRecord } from './topic-reader.js';

export interface ReplayTopics {
  input: string;
  embed: string;
  index: string;
  dlq: string;
  dlqReplays: string;
}

export interface ReplayPlan {
  toSend: Array<{ record: TopicRecord; entry: DlqEntry; target: string }>;
  alreadyReplayed: number;
  notMatching: number;
  /** Entries with no stage header to route by (not produced by freshet's DlqPublisher). */
  noTarget: string[];
}

/** Which DLQ entries a replay sends, in DLQ order: matching the filter and not in the replay log. */
export function planReplay(
  records: readonly TopicRecord[],
  replayed: ReadonlySet<string>,
  filter: DlqFilter,
  topics: ReplayTopics,
): ReplayPlan {
  const plan: ReplayPlan = { toSend: [], alreadyReplayed: 0, notMatching: 0, noTarget: [] };
  for (const record of records) {
    const entry = toDlqEntry(record);
    if (!matches(entry, filter)) plan.notMatching++;
    else if (replayed.has(replayKey(topics.dlq, record))) plan.alreadyReplayed++;
    else {
      const target = replayTarget(entry.stage, topics);
      if (target) plan.toSend.push({ record, entry, target });
      else plan.noTarget.push(entry.position);
    }
  }
  return plan;
}

/**
 * Sends the plan's records back (acks=all, keyed as before so the Java partitioner keeps the product's
 * partition), then records them in the replay log. Send first, then mark: a crash in between re-sends on
 * the next replay, and a re-sent event changes nothing (eventId dedup, version guard: DESIGN §4.3).
 */
export async function sendReplay(
  producer: Producer,
  plan: ReplayPlan,
  topics: ReplayTopics,
  chunkSize = 500,
): Promise<void> {
  for (let i = 0; i < plan.toSend.length; i += chunkSize) {
    const chunk = plan.toSend.slice(i, i + chunkSize);
    const byTarget = new Map<string, typeof chunk>();
    for (const s of chunk) byTarget.set(s.target, [...(byTarget.get(s.target) ?? []), s]);
    for (const [target, items] of byTarget) {
      await producer.send({
        topic: target,
        acks: -1,
        messages: items.map(({ record }) => ({
          key: record.key,
          value: record.value,
          headers: replayHeaders(record, topics.dlq),
        })),
      });
    }
    await markReplayed(
      producer,
      topics.dlqReplays,
      chunk.map(({ record, entry, target }) => ({
        key: replayKey(topics.dlq, record),
        target,
        reason: entry.reason,
        stage: entry.stage,
      })),
    );
  }
}
