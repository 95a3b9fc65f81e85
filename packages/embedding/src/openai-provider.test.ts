import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EmbeddingDimensionError, EmbeddingResponseError } from './errors.js';
import { OpenAIEmbeddingProvider, type OpenAIProviderOptions } from './openai-provider.js';
import {
  apiError,
  type FakeEmbeddingServer,
  ok,
  startFakeEmbeddingServer,
  vectorFor,
} from './test-server.js';

// A broken batcher or breaker tends to leave a promise pending: fail instead of hanging.
const LIMIT = { timeout: 10_000 };

const DIM = 8;
let server: FakeEmbeddingServer;

before(async () => {
  server = await startFakeEmbeddingServer((request) => ok(request, DIM));
});
after(() => server.close());

function provider(overrides: Partial<OpenAIProviderOptions> = {}): OpenAIEmbeddingProvider {
  return new OpenAIEmbeddingProvider({
    model: 'text-embedding-3-small',
    dimension: DIM,
    baseURL: server.baseURL,
    apiKey: 'sk-test-key',
    timeoutMs: 2_000,
    sendDimensions: true,
    ...overrides,
  });
}

const expected = (text: string) => Float32Array.from(vectorFor(text, DIM));

test('base64 vectors are asked for by default and decoded into Float32Arrays', LIMIT, async () => {
  server.respond = (request) => ok(request, DIM);
  server.requests.length = 0;
  const vectors = await provider().embed(['wireless headphones', 'kitchen knife']);
  assert.deepEqual(vectors, [expected('wireless headphones'), expected('kitchen knife')]);
  const [request] = server.requests;
  assert.equal(request!.body.encoding_format, 'base64');
  assert.equal(request!.body.dimensions, DIM);
  assert.deepEqual(request!.body.input, ['wireless headphones', 'kitchen knife']);
  assert.equal(request!.headers.authorization, 'Bearer sk-test-key');
});

test('float vectors are decoded too, even when the server ignores the base64 request', LIMIT, async () => {
  server.respond = (request) => ok(request, DIM, { format: 'float' });
  assert.deepEqual(await provider().embed(['a']), [expected('a')]);
  assert.deepEqual(await provider({ encodingFormat: 'float' }).embed(['b']), [expected('b')]);
  assert.equal(server.requests.at(-1)!.body.encoding_format, 'float');
});

test('`dimensions` is left out for models that do not accept it', LIMIT, async () => {
  server.respond = (request) => ok(request, DIM);
  await provider({ model: 'text-embedding-ada-002', sendDimensions: false }).embed(['x']);
  assert.equal('dimensions' in server.requests.at(-1)!.body, false);
});

test('vectors are placed by their index, whatever order the server lists them in', LIMIT, async () => {
  server.respond = (request) => {
    const reply = ok(request, DIM);
    (reply.body as { data: unknown[] }).data.reverse();
    return reply;
  };
  assert.deepEqual(await provider().embed(['one', 'two', 'three']), [
    expected('one'),
    expected('two'),
    expected('three'),
  ]);
});

test('vectors of the wrong dimension are rejected with EmbeddingDimensionError', LIMIT, async () => {
  server.respond = (request) => ok(request, DIM + 1);
  await assert.rejects(
    provider().embed(['x']),
    (error) =>
      error instanceof EmbeddingDimensionError &&
      error.code === 'FRESHET_EMBEDDING_DIMENSION' &&
      !error.canRetry &&
      error.expected === DIM &&
      error.actual === DIM + 1,
  );
});

test(
  'a wrong number of vectors, a repeated index or a non-number is an invalid response',
  LIMIT,
  async () => {
    const broken: Array<(body: { data: Array<{ index: number; embedding: unknown }> }) => void> = [
      (body) => body.data.pop(),
      (body) => {
        body.data[1]!.index = 0;
      },
      (body) => {
        body.data[0]!.embedding = Array(DIM).fill('NaN');
      },
    ];
    for (const breakIt of broken) {
      server.respond = (request) => {
        const reply = ok(request, DIM, { format: 'float' });
        breakIt(reply.body as { data: Array<{ index: number; embedding: unknown }> });
        return reply;
      };
      await assert.rejects(provider().embed(['a', 'b']), EmbeddingResponseError);
    }
  },
);

test('HTTP failures map to typed errors with status, retry hint and canRetry', LIMIT, async () => {
  const cases: Array<[number, Record<string, string>, string, boolean, number | undefined]> = [
    [429, { 'retry-after': '1' }, 'FRESHET_EMBEDDING_RATE_LIMITED', true, 1000],
    [
      429,
      { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' },
      'FRESHET_EMBEDDING_RATE_LIMITED',
      true,
      360_000,
    ],
    [500, {}, 'FRESHET_EMBEDDING_UNAVAILABLE', true, undefined],
    [503, { 'retry-after-ms': '750' }, 'FRESHET_EMBEDDING_UNAVAILABLE', true, 750],
    [408, {}, 'FRESHET_EMBEDDING_UNAVAILABLE', true, undefined],
    [409, {}, 'FRESHET_EMBEDDING_UNAVAILABLE', true, undefined],
    [400, { 'retry-after': '5' }, 'FRESHET_EMBEDDING_REJECTED', false, undefined],
    [422, {}, 'FRESHET_EMBEDDING_REJECTED', false, undefined],
    [401, {}, 'FRESHET_EMBEDDING_AUTH', false, undefined],
    [403, {}, 'FRESHET_EMBEDDING_AUTH', false, undefined],
    [404, {}, 'FRESHET_EMBEDDING_NOT_FOUND', false, undefined],
  ];
  for (const [status, headers, code, canRetry, retryAfterMs] of cases) {
    server.respond = () => apiError(status, `status ${status}`, headers);
    await assert.rejects(provider().embed(['x']), (error: unknown) => {
      assert.deepEqual(
        {
          code: (error as { code: string }).code,
          status: (error as { status: number }).status,
          canRetry: (error as { canRetry: boolean }).canRetry,
          retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs,
        },
        { code, status, canRetry, retryAfterMs },
      );
      assert.match((error as Error).message, new RegExp(`${status}`));
      return true;
    });
  }
});

test('a request without an answer within the timeout is a retryable timeout', LIMIT, async () => {
  server.respond = () => ({ hang: true });
  await assert.rejects(provider({ timeoutMs: 100 }).embed(['x']), {
    code: 'FRESHET_EMBEDDING_TIMEOUT',
    canRetry: true,
  });
});

test('a refused connection is a retryable outage', LIMIT, async () => {
  const closed = await startFakeEmbeddingServer(() => ({}));
  const baseURL = closed.baseURL;
  await closed.close();
  await assert.rejects(provider({ baseURL }).embed(['x']), {
    code: 'FRESHET_EMBEDDING_UNAVAILABLE',
    canRetry: true,
  });
});

test('an aborted signal stops the request with EmbeddingAbortedError', LIMIT, async () => {
  server.respond = () => ({ hang: true });
  const controller = new AbortController();
  const call = provider().embed(['x'], controller.signal);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(call, { code: 'FRESHET_EMBEDDING_ABORTED' });
});
