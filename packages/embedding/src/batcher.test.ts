import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingBatcher, type Schedule, type SendBatch } from './batcher.js';
import { EmbeddingAbortedError, EmbeddingApiError } from './errors.js';
import type { Truncation } from './tokenizer.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 5_000 };

/** A schedule whose timers fire only when the test says so. */
function manualTimers(): {
  schedule: Schedule;
  pending: Array<{ ms: number; fire(): void }>;
  fireAll(): void;
} {
  const pending: Array<{ ms: number; fire(): void; cancelled: boolean }> = [];
  return {
    pending,
    schedule: (callback, ms) => {
      const timer = { ms, cancelled: false, fire: () => !timer.cancelled && callback() };
      pending.push(timer);
      return () => {
        timer.cancelled = true;
        pending.splice(pending.indexOf(timer), 1);
      };
    },
    fireAll: () => {
      for (const timer of pending.splice(0)) timer.fire();
    },
  };
}

/** A vector that names its text, so a test can check which caller got which vector. */
const vectorOf = (text: string): Float32Array => Float32Array.from(text, (c) => c.charCodeAt(0));
const textOf = (vector: Float32Array): string => String.fromCharCode(...vector);

interface Recorder {
  send: SendBatch;
  requests: Array<{ texts: string[]; tokens: number }>;
  /** Resolve or reject a held request (when `hold` is on). */
  held: Array<{ resolve(): void; reject(error: unknown): void }>;
}

function recorder(options: { hold?: boolean } = {}): Recorder {
  const requests: Recorder['requests'] = [];
  const held: Recorder['held'] = [];
  const send: SendBatch = (texts, tokens) => {
    requests.push({ texts, tokens });
    const vectors = texts.map(vectorOf);
    if (!options.hold) return Promise.resolve(vectors);
    return new Promise((resolve, reject) => held.push({ resolve: () => resolve(vectors), reject }));
  };
  return { send, requests, held };
}

// One token per character keeps the token arithmetic of the tests readable.
const charTokens = (text: string, max: number): Truncation =>
  text.length > max
    ? { text: text.slice(0, max), tokens: max, truncated: true }
    : { text, tokens: text.length, truncated: false };

function batcher(
  send: SendBatch,
  timers: ReturnType<typeof manualTimers>,
  overrides: Partial<ConstructorParameters<typeof EmbeddingBatcher>[0]> = {},
) {
  return new EmbeddingBatcher({
    send,
    maxInputs: 3,
    maxTokensPerRequest: 1_000,
    lingerMs: 10,
    maxInputTokens: 100,
    concurrency: 4,
    truncate: charTokens,
    schedule: timers.schedule,
    ...overrides,
  });
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test(
  'a batch is sent as soon as it holds maxInputs texts, the rest waits for the linger',
  LIMIT,
  async () => {
    const timers = manualTimers();
    const api = recorder();
    const b = batcher(api.send, timers);
    const results = b.embedMany(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(
      api.requests.map((r) => r.texts),
      [
        ['a', 'b', 'c'],
        ['d', 'e', 'f'],
      ],
    );
    assert.equal(timers.pending.length, 1, 'only the partial batch lingers');
    assert.equal(timers.pending[0]!.ms, 10);
    timers.fireAll();
    assert.deepEqual(api.requests[2]!.texts, ['g']);
    assert.deepEqual((await results).map(textOf), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  },
);

test('a batch is cut before the text that would take it past maxTokensPerRequest', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers, { maxInputs: 100, maxTokensPerRequest: 10 });
  const results = b.embedMany(['aaaa', 'bbbb', 'cccc', 'dd']);
  assert.deepEqual(api.requests, [{ texts: ['aaaa', 'bbbb'], tokens: 8 }]);
  timers.fireAll();
  assert.deepEqual(api.requests[1], { texts: ['cccc', 'dd'], tokens: 6 });
  assert.deepEqual((await results).map(textOf), ['aaaa', 'bbbb', 'cccc', 'dd']);
});

test('a batch that reaches maxTokensPerRequest exactly is sent at once', LIMIT, () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers, { maxInputs: 100, maxTokensPerRequest: 8 });
  void b.embedMany(['aaaa', 'bbbb']);
  assert.deepEqual(api.requests, [{ texts: ['aaaa', 'bbbb'], tokens: 8 }]);
  assert.equal(timers.pending.length, 0);
});

test('nothing is sent before the linger elapses after the first queued text', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers);
  const first = b.embed('a');
  await tick();
  const second = b.embed('b');
  await tick();
  assert.equal(api.requests.length, 0);
  assert.equal(timers.pending.length, 1, 'one linger per batch, started by its first text');
  timers.fireAll();
  assert.deepEqual(api.requests[0]!.texts, ['a', 'b']);
  assert.equal(textOf(await first), 'a');
  assert.equal(textOf(await second), 'b');
});

test('identical texts in a batch are sent once and every caller gets its own copy', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers, { maxInputs: 3 });
  const results = b.embedMany(['x', 'y', 'x', 'x', 'z']);
  assert.deepEqual(
    api.requests.map((r) => r.texts),
    [['x', 'y', 'z']],
  );
  const vectors = await results;
  assert.deepEqual(vectors.map(textOf), ['x', 'y', 'x', 'x', 'z']);
  assert.notEqual(vectors[0], vectors[2], 'shared vectors are copies, not one mutable array');
});

test('results reach their callers in order whatever the batching', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers, { maxInputs: 4 });
  const texts = Array.from({ length: 50 }, (_, i) => `t${i % 17}`);
  const results = Promise.all([b.embedMany(texts.slice(0, 25)), ...texts.slice(25).map((t) => b.embed(t))]);
  timers.fireAll();
  const [many, ...single] = await results;
  assert.deepEqual([...many!, ...single].map(textOf), texts);
});

test('when a request fails every caller of that batch gets the error', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder({ hold: true });
  const b = batcher(api.send, timers);
  const results = ['a', 'b', 'a'].map((t) => b.embed(t));
  timers.fireAll();
  const outage = new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', '503', true);
  api.held[0]!.reject(outage);
  for (const result of results) await assert.rejects(result, (error) => error === outage);
});

test(
  'a request refused for one bad input (400): its halves go alone, only that input’s caller is refused',
  LIMIT,
  async () => {
    const timers = manualTimers();
    const requests: string[][] = [];
    const refused = new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', '400 input refused', false, {
      status: 400,
    });
    const b = batcher(
      async (texts) => {
        requests.push(texts);
        if (texts.includes('bad')) throw refused;
        return texts.map(vectorOf);
      },
      timers,
      { maxInputs: 10 },
    );
    // Three callers (say, three partitions' batches) share one request.
    const results = [b.embedMany(['a', 'b']), b.embedMany(['bad']), b.embedMany(['c', 'd'])];
    timers.fireAll();
    assert.deepEqual((await results[0]!).map(textOf), ['a', 'b']);
    await assert.rejects(results[1]!, (error) => error === refused);
    assert.deepEqual((await results[2]!).map(textOf), ['c', 'd']);
    assert.deepEqual(requests[0], ['a', 'b', 'bad', 'c', 'd']);
    assert.ok(
      requests.some((r) => r.length === 1 && r[0] === 'bad'),
      'split down to the refused input, sent alone',
    );
    assert.ok(requests.length <= 7, `${requests.length} requests: halves, not one per text`);
    await b.flush();
  },
);

test('a refusal of a single input reaches its caller at once', LIMIT, async () => {
  const timers = manualTimers();
  const refused = new EmbeddingApiError('FRESHET_EMBEDDING_REJECTED', '400', false, { status: 400 });
  let calls = 0;
  const b = batcher(async () => {
    calls++;
    throw refused;
  }, timers);
  const result = b.embed('bad');
  timers.fireAll();
  await assert.rejects(result, (error) => error === refused);
  assert.equal(calls, 1);
});

test(
  'at most `concurrency` requests are in flight; a lingering batch keeps filling meanwhile',
  LIMIT,
  async () => {
    const timers = manualTimers();
    const api = recorder({ hold: true });
    const b = batcher(api.send, timers, { concurrency: 1, maxInputs: 10 });
    const first = b.embed('a');
    timers.fireAll();
    assert.equal(api.requests.length, 1);
    const later = ['b', 'c'].map((t) => b.embed(t));
    timers.fireAll(); // linger elapsed, but the only request slot is busy
    const last = b.embed('d'); // joins the waiting batch
    assert.equal(api.requests.length, 1);
    api.held[0]!.resolve();
    await first;
    await tick();
    assert.deepEqual(api.requests[1]!.texts, ['b', 'c', 'd']);
    api.held[1]!.resolve();
    assert.deepEqual((await Promise.all([...later, last])).map(textOf), ['b', 'c', 'd']);
  },
);

test('texts over the model limit are truncated before sending and reported', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const reports: Array<{ originalLength: number; length: number; tokens: number }> = [];
  const b = batcher(api.send, timers, { maxInputTokens: 5, onTruncated: (r) => reports.push(r) });
  const result = b.embed('abcdefghij');
  timers.fireAll();
  assert.deepEqual(api.requests[0], { texts: ['abcde'], tokens: 5 });
  assert.equal(textOf(await result), 'abcde');
  assert.deepEqual(reports, [{ originalLength: 10, length: 5, tokens: 5 }]);
});

test('the real tokenizer is the default: token sums are cl100k counts', LIMIT, async () => {
  const api = recorder();
  const b = new EmbeddingBatcher({
    send: api.send,
    maxInputs: 10,
    maxTokensPerRequest: 1_000,
    lingerMs: 0,
    maxInputTokens: 8191,
    concurrency: 1,
  });
  await b.embedMany(['hello world', 'hello world again']);
  assert.deepEqual(api.requests, [{ texts: ['hello world', 'hello world again'], tokens: 5 }]);
});

test('flush sends without waiting for the linger; close refuses new texts', LIMIT, async () => {
  const timers = manualTimers();
  const api = recorder();
  const b = batcher(api.send, timers);
  const result = b.embed('a');
  await b.flush();
  assert.equal(textOf(await result), 'a');
  assert.equal(timers.pending.length, 0, 'the linger timer is cancelled');
  await b.close();
  await assert.rejects(b.embed('b'), EmbeddingAbortedError);
  assert.equal(api.requests.length, 1);
});
