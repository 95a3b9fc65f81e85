import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createEmbeddingClient, type EmbeddingClient } from './create.js';
import { BreakerOpenError, EmbeddingDimensionError } from './errors.js';
import {
  apiError,
  type FakeEmbeddingServer,
  ok,
  type Responder,
  startFakeEmbeddingServer,
  vectorFor,
} from './test-server.js';
import { countTokens } from './tokenizer.js';
import type { EmbeddingConfig } from './types.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 15_000 };

const DIM = 8;
const expected = (text: string) => Float32Array.from(vectorFor(text, DIM));

interface Harness {
  server: FakeEmbeddingServer;
  client: EmbeddingClient;
  registry: Registry;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** A client against a fresh scripted server, closed when the test ends. */
async function harness(
  t: { after(fn: () => Promise<void>): void },
  respond: Responder,
  config: EmbeddingConfig = {},
): Promise<Harness> {
  const server = await startFakeEmbeddingServer(respond);
  const registry = new Registry();
  const client = createEmbeddingClient(
    {
      provider: 'openai',
      model: 'text-embedding-3-small',
      dimension: DIM,
      ...config,
      openai: { baseURL: server.baseURL, apiKey: 'sk-test', timeoutMs: 2_000, ...config.openai },
      batch: { lingerMs: 1, ...config.batch },
      retry: { baseDelayMs: 10, maxDelayMs: 50, ...config.retry },
      breaker: { resetTimeoutMs: 300, ...config.breaker },
    },
    { registry },
  );
  t.after(async () => {
    await client.close({ graceMs: 0 });
    await server.close();
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return match?.value ?? 0;
  };
  return { server, client, registry, metric };
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('texts from many callers travel in one request and come back to their callers', LIMIT, async (t) => {
  const h = await harness(t, (request) => ok(request, DIM));
  const texts = ['wireless headphones', 'kitchen knife', 'wireless headphones', 'coffee beans'];
  const vectors = await Promise.all(texts.map((text) => h.client.embed(text)));
  assert.deepEqual(vectors, texts.map(expected));
  assert.equal(h.server.requests.length, 1);
  assert.deepEqual(h.server.requests[0]!.body.input, [
    'wireless headphones',
    'kitchen knife',
    'coffee beans',
  ]);
  assert.equal(await h.metric('freshet_embedding_requests_total', { outcome: 'success' }), 1);
  assert.equal(await h.metric('freshet_embedding_inputs_total'), 3);
  const tokens = ['wireless headphones', 'kitchen knife', 'coffee beans'].map(countTokens);
  assert.equal(await h.metric('freshet_embedding_tokens_total'), tokens[0]! + tokens[1]! + tokens[2]!);
});

test(
  'the tokens metric is what the API billed; a server that leaves usage out is counted in cl100k',
  LIMIT,
  async (t) => {
    const billed = await harness(t, (request) => ok(request, DIM, { promptTokens: 1234 }));
    await billed.client.embed('wireless headphones');
    assert.equal(await billed.metric('freshet_embedding_tokens_total'), 1234);
    const silent = await harness(t, (request) => ok(request, DIM, { promptTokens: null }));
    await silent.client.embedMany(['kitchen knife', 'coffee beans']);
    assert.equal(
      await silent.metric('freshet_embedding_tokens_total'),
      countTokens('kitchen knife') + countTokens('coffee beans'),
    );
  },
);

test(
  "without a TPM budget a request is sized by its texts' UTF-8 bytes, never past maxTokensPerRequest",
  LIMIT,
  async (t) => {
    // Five 10-byte texts of a few tokens each under a 25-token cap: the bound puts two in each request, and
    // with a TPM budget the exact counts let all five go at once.
    const texts = ['aaaa bbbbb', 'cccc ddddd', 'eeee fffff', 'gggg hhhhh', 'iiii jjjjj'];
    assert.ok(texts.reduce((sum, text) => sum + countTokens(text), 0) <= 25);
    const bounded = await harness(t, (request) => ok(request, DIM), { batch: { maxTokensPerRequest: 25 } });
    await bounded.client.embedMany(texts);
    assert.deepEqual(
      bounded.server.requests.map((r) => r.body.input.length),
      [2, 2, 1],
    );
    const exact = await harness(t, (request) => ok(request, DIM), {
      batch: { maxTokensPerRequest: 25 },
      rateLimit: { tokensPerMinute: 1_000_000 },
    });
    await exact.client.embedMany(texts);
    assert.deepEqual(
      exact.server.requests.map((r) => r.body.input.length),
      [5],
    );
  },
);

test(
  'a 429 with Retry-After: 1 is retried no sooner than one second later, then succeeds',
  LIMIT,
  async (t) => {
    const h = await harness(t, (request, index) =>
      index === 0 ? apiError(429, 'Rate limit reached', { 'retry-after': '1' }) : ok(request, DIM),
    );
    assert.deepEqual(await h.client.embed('x'), expected('x'));
    const [first, second] = h.server.requests;
    assert.ok(second!.at - first!.at >= 1000, `retried after ${second!.at - first!.at} ms`);
    assert.equal(await h.metric('freshet_embedding_retries_total', { reason: 'rate_limited' }), 1);
  },
);

test('5xx answers are retried until one succeeds', LIMIT, async (t) => {
  const h = await harness(t, (request, index) =>
    index < 3 ? apiError(500 + index, 'boom') : ok(request, DIM),
  );
  assert.deepEqual(await h.client.embedMany(['a', 'b']), [expected('a'), expected('b')]);
  assert.equal(h.server.requests.length, 4);
  assert.equal(await h.metric('freshet_embedding_retries_total', { reason: 'unavailable' }), 3);
  assert.equal(h.client.breaker.state(), 'closed', '3 failures in 4 calls stay under the volume threshold');
});

test('a 400 is not retried and, however many, does not open the breaker', LIMIT, async (t) => {
  const h = await harness(t, () => apiError(400, 'bad input'));
  for (let i = 0; i < 10; i++) {
    await assert.rejects(h.client.embed(`text ${i}`), {
      code: 'FRESHET_EMBEDDING_REJECTED',
      canRetry: false,
    });
  }
  assert.equal(h.server.requests.length, 10, 'one request per call: no retries');
  assert.equal(h.client.breaker.state(), 'closed');
  assert.equal(await h.metric('freshet_breaker_state'), 0);
});

test('vectors of the wrong dimension reject every caller with EmbeddingDimensionError', LIMIT, async (t) => {
  const h = await harness(t, (request) => ok(request, DIM * 2));
  const calls = ['a', 'b'].map((text) => h.client.embed(text));
  for (const call of calls) await assert.rejects(call, EmbeddingDimensionError);
  assert.equal(h.server.requests.length, 1, 'not retried');
});

test(
  'a persistent 503 opens the breaker, calls then fail fast, and a half-open success closes it',
  LIMIT,
  async (t) => {
    let healthy = false;
    const h = await harness(t, (request) => (healthy ? ok(request, DIM) : apiError(503, 'overloaded')), {
      retry: { maxRetries: 10 },
    });
    const events: string[] = [];
    h.client.breaker.onOpen(() => events.push('open'));
    h.client.breaker.onHalfOpen(() => events.push('halfOpen'));
    h.client.breaker.onClose(() => events.push('close'));

    // Retries stop as soon as the breaker opens: the caller gets BreakerOpenError, not 10 retries.
    await assert.rejects(h.client.embed('a'), BreakerOpenError);
    assert.deepEqual(events, ['open']);
    assert.equal(h.client.breaker.state(), 'open');
    assert.equal(await h.metric('freshet_breaker_state'), 2);
    const hits = h.server.requests.length;
    assert.equal(hits, 5, 'the breaker opened at the volume threshold');

    await assert.rejects(h.client.embed('b'), (error) => error instanceof BreakerOpenError && error.canRetry);
    assert.equal(h.server.requests.length, hits, 'an open breaker does not reach the server');

    healthy = true;
    await until(() => h.client.breaker.state() === 'halfOpen', 'half-open');
    assert.deepEqual(await h.client.embed('c'), expected('c'));
    assert.equal(h.client.breaker.state(), 'closed');
    assert.deepEqual(events, ['open', 'halfOpen', 'close']);
    assert.equal(await h.metric('freshet_breaker_state'), 0);
    assert.equal(await h.metric('freshet_breaker_transitions_total', { to: 'open' }), 1);
    assert.equal(await h.metric('freshet_breaker_transitions_total', { to: 'half_open' }), 1);
    assert.equal(await h.metric('freshet_breaker_transitions_total', { to: 'closed' }), 1);
    assert.ok((await h.metric('freshet_embedding_requests_total', { outcome: 'breaker_open' })) >= 1);
  },
);

test('timeouts count as failures and open the breaker', LIMIT, async (t) => {
  const h = await harness(t, () => ({ hang: true }), {
    openai: { timeoutMs: 100 },
    retry: { maxRetries: 10 },
  });
  await assert.rejects(h.client.embed('a'), BreakerOpenError);
  assert.equal(h.client.breaker.state(), 'open');
  // Five timed-out attempts open the breaker (volume threshold 5); the sixth attempt fails fast.
  assert.equal(await h.metric('freshet_embedding_retries_total', { reason: 'timeout' }), 5);
  assert.equal(await h.metric('freshet_embedding_requests_total', { outcome: 'timeout' }), 5);
});

test(
  'the secondary endpoint serves while the primary is down, and the primary is skipped for a while',
  LIMIT,
  async (t) => {
    const secondary = await startFakeEmbeddingServer((request) => ok(request, DIM));
    t.after(() => secondary.close());
    const h = await harness(t, () => apiError(503, 'primary down'), {
      openai: { secondary: { baseURL: secondary.baseURL }, primaryCooldownMs: 60_000 },
    });
    assert.deepEqual(await h.client.embed('a'), expected('a'));
    assert.deepEqual(await h.client.embed('b'), expected('b'));
    assert.equal(h.server.requests.length, 1, 'the primary failed once, then was skipped');
    assert.equal(secondary.requests.length, 2);
    assert.equal(secondary.requests[0]!.headers.authorization, 'Bearer sk-test', 'the key is shared');
    assert.equal(h.client.breaker.state(), 'closed');
  },
);

test('the RPM budget delays the request after the budget', LIMIT, async (t) => {
  // The bucket is made inside harness(), so no token can come back before `created` + 500 ms.
  const created = performance.now();
  const h = await harness(t, (request) => ok(request, DIM), {
    rateLimit: { requestsPerMinute: 120 },
    batch: { maxInputs: 1 },
  });
  await h.client.embedMany(Array.from({ length: 120 }, (_, i) => `t${i}`));
  await h.client.embed('one more');
  assert.equal(h.server.requests.length, 121);
  // The bucket starts with 120 requests and refills one every 500 ms (120 per minute).
  const last = h.server.requests[120]!.at;
  const burstEnd = h.server.requests[119]!.at;
  assert.ok(last - created >= 495, `the 121st request came ${last - created} ms after the bucket was made`);
  // Measured from the bucket, not the first request: on a loaded machine the first request comes late and
  // the refill may already be under way. The limiter reports the wait it imposed whenever it had to wait.
  const throttled = await h.metric('freshet_embedding_throttled_seconds_total');
  assert.ok(throttled * 1000 <= last - created, `throttled ${throttled} s, longer than the whole run`);
  if (burstEnd - created < 300)
    assert.ok(throttled > 0, `no wait was counted after a ${burstEnd - created} ms burst`);
});

test('the content-hash cache answers repeated texts without a request', LIMIT, async (t) => {
  const h = await harness(t, (request) => ok(request, DIM));
  assert.deepEqual(await h.client.embedCached('hash-1', 'a'), expected('a'));
  assert.deepEqual(await h.client.embedCached('hash-1', 'a'), expected('a'));
  assert.equal(h.server.requests.length, 1);
  assert.equal(await h.metric('freshet_embedding_cache_hits_total', { cache: 'embedding' }), 1);
  assert.equal(await h.metric('freshet_embedding_cache_misses_total', { cache: 'embedding' }), 1);
});

test('with no key the client embeds offline with the local model', LIMIT, async (t) => {
  const registry = new Registry();
  const client = createEmbeddingClient({}, { registry });
  t.after(() => client.close());
  assert.equal(client.provider, 'local');
  assert.equal(client.model, 'all-minilm-l6-v2-q-mean48+lex');
  await client.ready();
  await assertEmbedsOneRequest(client, registry, 768);
});

test('the hash provider embeds with no model files', LIMIT, async (t) => {
  const registry = new Registry();
  const client = createEmbeddingClient({ provider: 'hash' }, { registry });
  t.after(() => client.close());
  assert.equal(client.provider, 'hash');
  assert.equal(client.model, 'freshet-hash-v1');
  await assertEmbedsOneRequest(client, registry, 384);
});

/** The same text twice: one vector of `dimension` for both, sent as one request, counted in the metrics. */
async function assertEmbedsOneRequest(
  client: EmbeddingClient,
  registry: Registry,
  dimension: number,
): Promise<void> {
  const [a, b] = await client.embedMany(['wireless headphones', 'wireless headphones']);
  assert.equal(client.dimension, dimension);
  assert.equal(a!.length, dimension);
  assert.deepEqual(a, b);
  const text = await registry.metrics();
  assert.match(text, /freshet_embedding_requests_total\{outcome="success"\} 1/);
  assert.match(text, /freshet_embedding_batch_size_bucket/);
}

test('a text over the input limit is truncated before it is sent and counted', LIMIT, async (t) => {
  const h = await harness(t, (request) => ok(request, DIM), { batch: { maxInputTokens: 10 } });
  await h.client.embed('word '.repeat(100));
  const sent = h.server.requests[0]!.body.input[0]!;
  assert.equal(h.client.countTokens(sent) <= 10, true);
  assert.equal(await h.metric('freshet_embedding_truncated_total'), 1);
});

test('close lets in-flight batches finish and refuses new texts', LIMIT, async (t) => {
  const h = await harness(t, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return ok(request, DIM);
  });
  const pending = h.client.embed('late');
  await h.client.close();
  assert.deepEqual(await pending, expected('late'));
  await assert.rejects(h.client.embed('after'), { code: 'FRESHET_EMBEDDING_ABORTED' });
});
