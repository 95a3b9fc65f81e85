import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEADER } from '@freshet/kafka';
import { parseFilters, replayKey } from './dlq-entry.js';
import { planReplay } from './replay.js';
import type { TopicRecord } from './topic-reader.js';

const topics = { input: 'in', embed: 'em', index: 'ix', dlq: 'dlq', dlqReplays: 'dlq-replays' };
const entry = (partition: number, offset: number, stage: string, reason: string): TopicRecord => ({
  topic: 'dlq',
  partition,
  offset: String(offset),
  timestamp: '0',
  key: Buffer.from(`p-${partition}-${offset}`),
  value: Buffer.from('x'),
  headers: {
    ...(stage ? { [HEADER.dlqStage]: Buffer.from(stage) } : {}),
    [HEADER.dlqReason]: Buffer.from(reason),
  },
});

const dlq = [
  entry(0, 0, 'router', 'FRESHET_TEXT_TOO_LONG'),
  entry(0, 1, 'writer', 'FRESHET_MILVUS_REJECTED'),
  entry(1, 0, 'embedder', 'FRESHET_EMBEDDING_REJECTED'),
  entry(1, 1, '', 'SOMETHING'),
];

test('a replay sends each matching entry to its stage input topic, in DLQ order', () => {
  const plan = planReplay(dlq, new Set(), {}, topics);
  assert.deepEqual(
    plan.toSend.map((s) => [s.entry.position, s.target]),
    [
      ['0:0', 'in'],
      ['0:1', 'ix'],
      ['1:0', 'em'],
    ],
  );
  assert.deepEqual(plan.noTarget, ['1:1']);
});

test('entries in the replay log are skipped whatever the filter; others wait for a later replay', () => {
  const done = new Set([replayKey('dlq', dlq[0]!)]);
  const plan = planReplay(dlq, done, parseFilters(['reason=FRESHET_TEXT_TOO_LONG'], undefined), topics);
  assert.deepEqual(plan.toSend, []);
  assert.equal(plan.alreadyReplayed, 1);
  assert.equal(plan.notMatching, 3);
  const later = planReplay(dlq, done, parseFilters([], 'writer'), topics);
  assert.deepEqual(
    later.toSend.map((s) => s.entry.position),
    ['0:1'],
  );
});
