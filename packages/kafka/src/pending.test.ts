import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedChain, retryUntilDone } from './pending.js';

test('a key waits for its earlier batch, other keys do not, and a failed batch still releases its keys', async () => {
  const chain = new KeyedChain();
  let failFirst!: (e: Error) => void;
  const first = new Promise<void>((_, reject) => {
    failFirst = reject;
  });
  chain.hold(['a', 'b'], first);
  assert.ok(chain.busy('a') && chain.busy('b') && !chain.busy('c'));
  const order: string[] = [];
  const waitsForA = chain.before(['a']).then((clear) => order.push(`after a, clear ${clear}`));
  await chain.before(['c']).then((clear) => order.push(`c free, clear ${clear}`));
  assert.deepEqual(order, ['c free, clear true']);
  failFirst(new Error('gave up'));
  await waitsForA;
  assert.deepEqual(
    order,
    ['c free, clear true', 'after a, clear false'],
    'told the earlier batch was given up',
  );
  chain.hold(['d'], Promise.resolve());
  assert.equal(await chain.before(['d']), true);
  await new Promise((r) => setImmediate(r));
  assert.ok(!chain.busy('a'), 'forgotten once settled');
});

test('retryUntilDone retries until the work succeeds, and gives up only when its signal aborts', async () => {
  let calls = 0;
  const retries: number[] = [];
  const ok = retryUntilDone(
    async () => {
      if (++calls < 3) throw new Error('down');
    },
    {
      signal: new AbortController().signal,
      retry: { baseMs: 1, maxMs: 2 },
      onRetry: (_e, a) => retries.push(a),
    },
  );
  await ok.done;
  assert.equal(calls, 3);
  assert.deepEqual(retries, [0, 1]);

  const stop = new AbortController();
  const gaveUp = retryUntilDone(
    async () => {
      stop.abort();
      throw new Error('still down');
    },
    { signal: stop.signal, retry: { baseMs: 1, maxMs: 2 }, onRetry: () => {} },
  );
  await assert.rejects(gaveUp.done, /still down/);
});
