import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from 'kafkajs';
import { MAX_SEND_BYTES, messageBytes, splitBySize } from './producer.js';

const msg = (i: number, bytes: number): Message => ({
  key: `p-${String(i).padStart(6, '0')}`,
  value: Buffer.alloc(bytes, i % 256),
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
});

test('splitBySize keeps every message, in order, in parts under the limit', () => {
  // 3,000 EmbedRequest-sized records (~2 KiB): the backlog batch that got a router stuck on a 1 MiB broker.
  const messages = Array.from({ length: 3000 }, (_, i) => msg(i, 2000));
  const parts = splitBySize(messages);
  assert.ok(parts.length > 1);
  assert.deepEqual(parts.flat(), messages);
  for (const part of parts) {
    assert.ok(part.reduce((n, m) => n + messageBytes(m), 0) <= MAX_SEND_BYTES);
  }
});

test('a message larger than the limit goes alone; small batches stay whole', () => {
  const big = msg(1, 2 * MAX_SEND_BYTES);
  const parts = splitBySize([msg(0, 10), big, msg(2, 10)]);
  assert.deepEqual(
    parts.map((p) => p.length),
    [1, 1, 1],
  );
  assert.deepEqual(splitBySize([msg(0, 10), msg(1, 10)]).length, 1);
  assert.deepEqual(splitBySize([]), []);
});

test('messageBytes counts key, value and headers', () => {
  const m: Message = {
    key: 'abc',
    value: Buffer.alloc(100),
    headers: { h: 'xy', list: ['a', Buffer.alloc(5)] },
  };
  assert.equal(messageBytes(m), 64 + 3 + 100 + 1 + 2 + 4 + 1 + 5);
  assert.equal(messageBytes({ key: null, value: null }), 64);
});
