import { HEADER, headerString, type IHeaders } from '@freshet/kafka';
import { UsageError } from './errors.js';
import type { TopicRecord } from './topic-reader.js';

export type Stage = 'router' | 'embedder' | 'writer';
const STAGES: readonly Stage[] = ['router', 'embedder', 'writer'];

/** A DLQ record as an operator reads it: where it sits, why it is there, where it came from. */
export interface DlqEntry {
  partition: number;
  offset: string;
  /** Position of the entry itself, `partition:offset`, the argument of `dlq show`. */
  position: string;
  reason: string;
  message: string;
  stage: string;
  at: number | null;
  /** The topic/partition/offset the failing stage consumed it from. */
  failed: { topic: string; partition: number | null; offset: string };
  /** The original input record (freshet-source-* headers). */
  source: { topic: string; partition: number | null; offset: string };
  replayCount: number;
  key: string | null;
  valueBytes: number;
  headers: Record<string, string>;
}

export function toDlqEntry(r: TopicRecord): DlqEntry {
  const h = (name: string) => headerString(r.headers, name) ?? '';
  const int = (text: string) => (text === '' || !/^\d+$/.test(text) ? null : Number(text));
  return {
    partition: r.partition,
    offset: r.offset,
    position: `${r.partition}:${r.offset}`,
    reason: h(HEADER.dlqReason),
    message: h(HEADER.dlqMessage),
    stage: h(HEADER.dlqStage),
    at: int(h(HEADER.dlqAt)),
    failed: {
      topic: h(HEADER.dlqTopic),
      partition: int(h(HEADER.dlqPartition)),
      offset: h(HEADER.dlqOffset),
    },
    source: {
      topic: h(HEADER.sourceTopic),
      partition: int(h(HEADER.sourcePartition)),
      offset: h(HEADER.sourceOffset),
    },
    replayCount: int(h(HEADER.replayCount)) ?? 0,
    key: r.key === null ? null : r.key.toString('utf8'),
    valueBytes: r.value?.length ?? 0,
    headers: headerStrings(r.headers),
  };
}

export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) out[name] = headerString(headers, name) ?? '';
  return out;
}

export interface DlqFilter {
  reasons?: ReadonlySet<string>;
  stage?: Stage;
}

/** `reason=CODE[,CODE…]` (repeatable); the only key today, so typos are usage errors, not empty results. */
export function parseFilters(filters: readonly string[], stage: string | undefined): DlqFilter {
  const reasons = new Set<string>();
  for (const f of filters) {
    const match = /^([a-z]+)=(.+)$/.exec(f.trim());
    if (match?.[1] !== 'reason') {
      throw new UsageError(
        `--filter ${JSON.stringify(f)}: expected reason=CODE (e.g. reason=FRESHET_TEXT_TOO_LONG)`,
      );
    }
    for (const code of match[2]!.split(',')) if (code.trim()) reasons.add(code.trim());
  }
  if (stage !== undefined && !STAGES.includes(stage as Stage)) {
    throw new UsageError(`--stage ${JSON.stringify(stage)}: expected one of ${STAGES.join(', ')}`);
  }
  return {
    ...(reasons.size > 0 ? { reasons } : {}),
    ...(stage !== undefined ? { stage: stage as Stage } : {}),
  };
}

export function matches(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.reasons && !filter.reasons.has(entry.reason)) return false;
  if (filter.stage && entry.stage !== filter.stage) return false;
  return true;
}

/** `partition:offset` as printed by `dlq list`. */
export function parsePosition(text: string): { partition: number; offset: bigint } {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`${JSON.stringify(text)}: expected <partition>:<offset>, e.g. 0:42`);
  return { partition: Number(match[1]), offset: BigInt(match[2]!) };
}

/** Header added to a replayed record: the DLQ entry it came from (kept if it fails again). */
export const REPLAY_OF_HEADER = 'freshet-replay-of';

/** Replay log key of a DLQ entry: one per entry, so the compacted log is a set. */
export function replayKey(dlqTopic: string, entry: { partition: number; offset: string }): string {
  return `${dlqTopic}:${entry.partition}:${entry.offset}`;
}

/**
 * The record to send back: the original key, value and headers without the DLQ's own headers, with the
 * replay count raised (a record that keeps failing is visible as such) and where it was replayed from.
 */
export function replayHeaders(r: TopicRecord, dlqTopic: string): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(r.headers)) {
    if (!name.startsWith('freshet-dlq-') && value !== undefined) out[name] = value;
  }
  const count = Number(headerString(r.headers, HEADER.replayCount) ?? '0');
  out[HEADER.replayCount] = String((Number.isFinite(count) ? count : 0) + 1);
  out[REPLAY_OF_HEADER] = replayKey(dlqTopic, r);
  return out;
}

/** Where a stage's failures go back to: the topic that stage consumes. */
export function replayTarget(
  stage: string,
  topics: { input: string; embed: string; index: string },
): string | undefined {
  if (stage === 'router') return topics.input;
  if (stage === 'embedder') return topics.embed;
  if (stage === 'writer') return topics.index;
  return undefined;
}
