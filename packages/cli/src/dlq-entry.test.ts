import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEADER } from '@freshet/kafka';
import {
  matches,
  parseFilters,
  parsePosition,
  replayHeaders,
  replayTarget,
  toDlqEntry,
} from './dlq-entry.js';
import { UsageError } from './errors.js';
import type { TopicRecord } from './topic-reader.js';

const record = (headers: Record<string, string>): TopicRecord => ({
  topic: 'freshet.dlq',
  partition: 2,
  offset: '17',
  timestamp: '0',
  key: Buffer.from('p-1'),
  value: Buffer.from([0, 0, 0, 0, 1, 2]),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});

const dlqd = record({
  traceparent: '00-aaaa-bbbb-01',
  [HEADER.sourceTopic]: 'catalog.product-events',
  [HEADER.sourcePartition]: '2',
  [HEADER.sourceOffset]: '100',
  [HEADER.dlqReason]: 'FRESHET_TEXT_TOO_LONG',
  [HEADER.dlqMessage]: 'too long',
  [HEADER.dlqStage]: 'router',
  [HEADER.dlqAt]: '1700000000000',
  [HEADER.dlqTopic]: 'catalog.product-events',
  [HEADER.dlqPartition]: '2',
  [HEADER.dlqOffset]: '100',
});

test('a DLQ record reads as reason, stage, failed and source positions', () => {
  const e = toDlqEntry(dlqd);
  assert.equal(e.position, '2:17');
  assert.equal(e.reason, 'FRESHET_TEXT_TOO_LONG');
  assert.equal(e.stage, 'router');
  assert.deepEqual(e.source, { topic: 'catalog.product-events', partition: 2, offset: '100' });
  assert.equal(e.at, 1700000000000);
  assert.equal(e.replayCount, 0);
  assert.equal(e.key, 'p-1');
  assert.equal(e.valueBytes, 6);
});

test('a replayed record keeps its own headers, loses the DLQ ones, counts the replay and names its entry', () => {
  const h = replayHeaders(dlqd, 'freshet.dlq');
  assert.deepEqual(Object.keys(h).sort(), [
    'freshet-replay-count',
    'freshet-replay-of',
    'freshet-source-offset',
    'freshet-source-partition',
    'freshet-source-topic',
    'traceparent',
  ]);
  assert.equal(h[HEADER.replayCount], '1');
  assert.equal(h['freshet-replay-of'], 'freshet.dlq:2:17');
  const twice = replayHeaders(record({ [HEADER.replayCount]: '1', [HEADER.dlqReason]: 'X' }), 'freshet.dlq');
  assert.equal(twice[HEADER.replayCount], '2');
});

test('each stage replays to the topic it consumes', () => {
  const topics = { input: 'in', embed: 'em', index: 'ix' };
  assert.equal(replayTarget('router', topics), 'in');
  assert.equal(replayTarget('embedder', topics), 'em');
  assert.equal(replayTarget('writer', topics), 'ix');
  assert.equal(replayTarget('', topics), undefined);
});

test('filters: reason lists and stage; a typo is a usage error, not an empty result', () => {
  const f = parseFilters(['reason=FRESHET_TEXT_TOO_LONG,FRESHET_PRICE_INVALID'], 'router');
  assert.ok(matches(toDlqEntry(dlqd), f));
  assert.ok(!matches(toDlqEntry(dlqd), parseFilters(['reason=FRESHET_PRICE_INVALID'], undefined)));
  assert.ok(!matches(toDlqEntry(dlqd), parseFilters([], 'writer')));
  assert.throws(() => parseFilters(['reson=X'], undefined), UsageError);
  assert.throws(() => parseFilters([], 'routr'), UsageError);
});

test('positions are partition:offset', () => {
  assert.deepEqual(parsePosition('3:42'), { partition: 3, offset: 42n });
  assert.throws(() => parsePosition('3-42'), UsageError);
});
