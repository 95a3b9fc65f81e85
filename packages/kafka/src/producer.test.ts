import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkBySize, SendCoalescer } from './producer.js';

const message = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes) });
const messagesOf = <T>(chunks: Array<{ messages: T[] }>) => chunks.map((c) => c.messages);

test('a backlog is sent in requests under the budget, in order, so no record batch is too large', () => {
  const messages = Array.from({ length: 300 }, (_, i) => message(`k${i % 7}`, 5000));
  const chunks = messagesOf(chunkBySize(messages, 100_000));
  assert.ok(chunks.length > 1);
  for (const c of chunks) assert.ok(c.reduce((n, m) => n + (m.value?.length ?? 0), 0) <= 100_000);
  assert.deepEqual(chunks.flat(), messages, 'every message once, in the original order');
});

test('a single record larger than the budget is sent alone', () => {
  const chunks = messagesOf(chunkBySize([message('a', 10), message('b', 5000), message('c', 10)], 1000));
  assert.deepEqual(
    chunks.map((c) => c.map((m) => m.key)),
    [['a'], ['b'], ['c']],
  );
  assert.deepEqual(messagesOf(chunkBySize([], 1000)), []);
});

test('headers count toward the budget: a Buffer by its bytes, a string by its length, arrays by each value', () => {
  // 64 bytes of overhead per record, plus key, value and headers (names and values).
  const withHeaders = (key: string, headers: Record<string, string | Buffer | Array<string | Buffer>>) => ({
    key,
    value: Buffer.alloc(100),
    headers,
  });
  const big = withHeaders('a', { trace: Buffer.alloc(800) }); // 64 + 1 + 100 + 5 + 800 = 970
  const small = withHeaders('b', { t: 'x'.repeat(10), list: ['yy', Buffer.alloc(3)] }); // 64 + 1 + 100 + 1 + 10 + 4 + 5 = 185
  assert.deepEqual(
    messagesOf(chunkBySize([big, small], 1155)).map((c) => c.map((m) => m.key)),
    [['a', 'b']],
  );
  assert.deepEqual(
    messagesOf(chunkBySize([big, small], 1154)).map((c) => c.map((m) => m.key)),
    [['a'], ['b']],
  );
});

/** A producer whose requests are held until released, recording what each carried. */
function heldProducer() {
  const requests: Array<{ topic: string; keys: string[] }[]> = [];
  const releases: Array<(error?: Error) => void> = [];
  return {
    requests,
    release(error?: Error) {
      releases.shift()?.(error);
    },
    producer: {
      sendBatch(batch: { topicMessages?: Array<{ topic: string; messages: Array<{ key?: unknown }> }> }) {
        requests.push(
          (batch.topicMessages ?? []).map((t) => ({
            topic: t.topic,
            keys: t.messages.map((m) => String(m.key)),
          })),
        );
        return new Promise<never[]>((resolve, reject) => {
          releases.push((error) => (error ? reject(error) : resolve([])));
        });
      },
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

test('a call made while the producer is idle goes at once; calls made meanwhile share the next request, in order', async () => {
  const p = heldProducer();
  const calls: number[] = [];
  const coalescer = new SendCoalescer(p.producer, 100_000, (n) => calls.push(n));
  const first = coalescer.send('t', [message('a', 10)]);
  assert.equal(p.requests.length, 1, 'no linger when idle');
  const second = coalescer.send('t', [message('b', 10)]);
  const third = coalescer.send('dlq', [message('x', 10)]);
  const fourth = coalescer.send('t', [message('c', 10), message('d', 10)]);
  p.release();
  await first;
  await settle();
  assert.deepEqual(p.requests[1], [
    { topic: 't', keys: ['b', 'c', 'd'] },
    { topic: 'dlq', keys: ['x'] },
  ]);
  p.release();
  await Promise.all([second, third, fourth]);
  assert.deepEqual(calls, [1, 3]);
});

test('a failed request fails its callers and drops their queued chunks; the others go on', async () => {
  const p = heldProducer();
  // A budget of ~2 messages a request: the big call is three chunks.
  const coalescer = new SendCoalescer(p.producer, 2 * (64 + 1 + 100));
  const big = coalescer.send('t', [
    message('a', 100),
    message('b', 100),
    message('c', 100),
    message('d', 100),
  ]);
  const other = coalescer.send('t', [message('z', 100)]);
  assert.deepEqual(p.requests[0]?.[0]?.keys, ['a', 'b']);
  p.release(new Error('broker gone'));
  await assert.rejects(big, /broker gone/);
  await settle();
  assert.deepEqual(p.requests[1]?.[0]?.keys, ['z'], "the big call's c and d are never sent");
  p.release();
  await other;
  const later = coalescer.send('t', [message('e', 10)]);
  await settle();
  p.release();
  await later;
  assert.deepEqual(
    p.requests.map((r) => r[0]?.keys),
    [['a', 'b'], ['z'], ['e']],
  );
});
