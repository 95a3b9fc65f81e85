import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { countTokens, encode } from 'gpt-tokenizer/encoding/cl100k_base';
import OpenAI from 'openai';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';
import { base64ToVector, fakeEmbedding } from './fake-vector.js';
import { pollUntil } from './poll.js';

const KEY = 'sk-fake-test';
const MODEL = 'text-embedding-3-small';

interface EmbeddingsBody {
  object: string;
  data: Array<{ object: string; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

async function post(server: FakeOpenAI, body: unknown, key: string | null = KEY, signal?: AbortSignal) {
  const response = await fetch(`${server.url}/embeddings`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
}

function assertOpenAIError(json: unknown): ErrorBody['error'] {
  const { error } = json as ErrorBody;
  assert.equal(typeof error.message, 'string');
  assert.equal(typeof error.type, 'string');
  assert.ok('param' in error && 'code' in error, 'error has param and code (null allowed)');
  return error;
}

/** The first vector of a float answer. */
function floats(body: EmbeddingsBody): number[] {
  const embedding = body.data[0]?.embedding;
  assert.ok(Array.isArray(embedding), 'a float vector');
  return embedding;
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('fake OpenAI embeddings server', { timeout: 60_000 }, () => {
  let server: FakeOpenAI;
  before(async () => {
    server = await startFakeOpenAI({ apiKey: KEY });
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.clear();
    server.reset();
  });

  test('answers float embeddings in OpenAI’s shape, 1536 L2-normalised dimensions by default', async () => {
    const { status, json } = await post(server, {
      model: MODEL,
      input: ['red shoes', 'blue hat'],
      encoding_format: 'float',
    });
    assert.equal(status, 200);
    const body = json as EmbeddingsBody;
    assert.equal(body.object, 'list');
    assert.equal(body.model, MODEL);
    assert.deepEqual(
      body.data.map((d) => [d.object, d.index]),
      [
        ['embedding', 0],
        ['embedding', 1],
      ],
    );
    const first = body.data[0]?.embedding as number[];
    assert.equal(first.length, 1536);
    assert.ok(Math.abs(norm(first) - 1) < 1e-5);
    assert.deepEqual(first, Array.from(fakeEmbedding('red shoes', 1536, MODEL)));
    const tokens = countTokens('red shoes') + countTokens('blue hat');
    assert.deepEqual(body.usage, { prompt_tokens: tokens, total_tokens: tokens });
  });

  test('base64 encoding is the same vector as float32 little-endian bytes', async () => {
    const float = (await post(server, { model: MODEL, input: 'kettle', encoding_format: 'float' }))
      .json as EmbeddingsBody;
    const b64 = (await post(server, { model: MODEL, input: 'kettle', encoding_format: 'base64' }))
      .json as EmbeddingsBody;
    const encoded = b64.data[0]?.embedding as string;
    assert.equal(typeof encoded, 'string');
    assert.equal(Buffer.from(encoded, 'base64').length, 1536 * 4);
    assert.deepEqual(Array.from(base64ToVector(encoded)), float.data[0]?.embedding);
  });

  test('the official openai client (base64 by default) calls it and decodes the vectors', async () => {
    const client = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
    const texts = ['Tai nghe không dây chống ồn', '无线降噪耳机 🎧', 'wireless noise cancelling headphones'];
    const answer = await client.embeddings.create({ model: MODEL, input: texts, dimensions: 256 });
    assert.equal(answer.data.length, 3);
    for (const [i, text] of texts.entries()) {
      assert.deepEqual(
        Array.from(answer.data[i]?.embedding ?? []),
        Array.from(fakeEmbedding(text, 256, MODEL)),
      );
    }
    assert.equal(server.stats().log[0]?.encodingFormat, 'base64', 'the SDK asked for base64');
    const models = await client.models.list();
    assert.ok(models.data.some((m) => m.id === MODEL));
  });

  test('tokens are counted exactly as gpt-tokenizer’s cl100k_base counts them, per text too', async () => {
    const texts = [
      'Wireless noise-cancelling headphones, 40 h battery',
      'Ấm siêu tốc inox 1.7L — giao hàng nhanh',
      '无线降噪头戴式耳机 黑色 🎧✨',
      'a <|endoftext|> in a description is plain text',
    ];
    await post(server, { model: MODEL, input: texts });
    await post(server, { model: MODEL, input: texts[0] });
    const tokenInput = encode('hello tokens');
    await post(server, { model: MODEL, input: [tokenInput] });
    const plain = { disallowedSpecial: new Set<string>() };
    const expected =
      texts.reduce((s, t) => s + countTokens(t, plain), 0) +
      countTokens(texts[0] as string) +
      tokenInput.length;
    const stats = server.stats();
    assert.equal(stats.tokens, expected);
    assert.equal(stats.requests, 3);
    assert.equal(stats.embedded, 3);
    assert.equal(stats.inputs, 6);
    assert.equal(stats.texts.get(texts[0] as string), 2);
    assert.equal(stats.texts.get(texts[2] as string), 1);
    assert.equal(stats.texts.get('hello tokens'), 1, 'token arrays are counted by their decoded text');
    assert.deepEqual(
      stats.log.map((e) => e.tokens),
      [
        expected - countTokens(texts[0] as string) - tokenInput.length,
        countTokens(texts[0] as string),
        tokenInput.length,
      ],
    );
  });

  test('vectors are deterministic per (model, dimensions, text)', async () => {
    const ask = async (model: string, dimensions: number, input: string) =>
      ((await post(server, { model, input, dimensions, encoding_format: 'float' })).json as EmbeddingsBody)
        .data[0]?.embedding as number[];
    const a = await ask(MODEL, 64, 'lamp');
    assert.deepEqual(await ask(MODEL, 64, 'lamp'), a);
    assert.notDeepEqual(await ask(MODEL, 64, 'lamp!'), a);
    assert.notDeepEqual(await ask('text-embedding-3-large', 64, 'lamp'), a);
    const shorter = await ask(MODEL, 32, 'lamp');
    assert.equal(shorter.length, 32);
    assert.notDeepEqual(shorter, a.slice(0, 32));
  });

  test('dimensions: honoured up to the model’s size; refused above it and for ada-002', async () => {
    const large = (
      await post(server, { model: 'text-embedding-3-large', input: 'x', encoding_format: 'float' })
    ).json as EmbeddingsBody;
    assert.equal(floats(large).length, 3072);
    const tooMany = await post(server, { model: MODEL, input: 'x', dimensions: 1537 });
    assert.equal(tooMany.status, 400);
    assert.equal(assertOpenAIError(tooMany.json).param, 'dimensions');
    const ada = await post(server, { model: 'text-embedding-ada-002', input: 'x', dimensions: 256 });
    assert.equal(ada.status, 400);
    const zero = await post(server, { model: MODEL, input: 'x', dimensions: 0 });
    assert.equal(zero.status, 400);
  });

  test('an API key is required when configured: 401 without it or with the wrong one', async () => {
    const missing = await post(server, { model: MODEL, input: 'x' }, null);
    assert.equal(missing.status, 401);
    assertOpenAIError(missing.json);
    const wrong = await post(server, { model: MODEL, input: 'x' }, 'sk-wrong');
    assert.equal(wrong.status, 401);
    assert.equal(assertOpenAIError(wrong.json).code, 'invalid_api_key');
    const models = await fetch(`${server.url}/models`);
    assert.equal(models.status, 401);
    const stats = server.stats();
    assert.equal(stats.unauthorized, 2);
    assert.equal(stats.tokens, 0);
    assert.equal(stats.requests, 2);
  });

  test('bad input gets 400 with OpenAI’s error shape and is never billed', async () => {
    const cases: Array<[string, unknown]> = [
      ['empty string', { model: MODEL, input: '' }],
      ['empty list', { model: MODEL, input: [] }],
      ['empty string in a list', { model: MODEL, input: ['ok', ''] }],
      ['2049 inputs', { model: MODEL, input: Array.from({ length: 2049 }, (_, i) => `t${i}`) }],
      ['8,192-token input', { model: MODEL, input: Array.from({ length: 8192 }, () => 1000) }],
      ['a text over 8,191 tokens', { model: MODEL, input: 'word '.repeat(8200) }],
      ['no model', { input: 'x' }],
      ['mixed list', { model: MODEL, input: ['x', 3] }],
      ['bad encoding_format', { model: MODEL, input: 'x', encoding_format: 'hex' }],
      ['malformed JSON', '{"model": '],
    ];
    for (const [name, body] of cases) {
      const { status, json } = await post(server, body);
      assert.equal(status, 400, name);
      assert.equal(assertOpenAIError(json).type, 'invalid_request_error', name);
    }
    const ok = await post(server, { model: MODEL, input: Array.from({ length: 2048 }, (_, i) => `t${i}`) });
    assert.equal(ok.status, 200, '2048 inputs are allowed');
    const exactly = await post(server, { model: MODEL, input: [Array.from({ length: 8191 }, () => 1000)] });
    assert.equal(exactly.status, 200, '8,191 tokens are allowed');
    const stats = server.stats();
    assert.equal(stats.badRequests, cases.length);
    assert.equal(stats.embedded, 2);
    assert.equal(stats.inputs, 2049);
  });

  test('429 carries Retry-After and x-ratelimit-reset-requests, for the next N requests only', async () => {
    server.inject({ kind: 'status429', retryAfterSeconds: 2, requests: 2 });
    for (let i = 0; i < 2; i++) {
      const { status, headers, json } = await post(server, { model: MODEL, input: 'x' });
      assert.equal(status, 429);
      assert.equal(headers.get('retry-after'), '2');
      assert.equal(headers.get('x-ratelimit-reset-requests'), '2s');
      assert.equal(assertOpenAIError(json).code, 'rate_limit_exceeded');
    }
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 200);
    const stats = server.stats();
    assert.equal(stats.faults.status429, 2);
    assert.equal(stats.embedded, 1);
    assert.equal(stats.tokens, countTokens('x'), 'rate-limited requests bill nothing');
  });

  test('the openai client obeys Retry-After and succeeds once the 429 is over', async () => {
    server.inject({ kind: 'status429', retryAfterSeconds: 0.3, requests: 1 });
    const client = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 2 });
    const started = Date.now();
    const answer = await client.embeddings.create({ model: MODEL, input: 'retry me' });
    assert.equal(answer.data.length, 1);
    assert.ok(Date.now() - started >= 290, 'waited for Retry-After');
    const stats = server.stats();
    assert.deepEqual([stats.requests, stats.faults.status429, stats.embedded], [2, 1, 1]);
  });

  test('5xx faults answer 500, 502 or 503 with a server_error body', async () => {
    for (const status of [500, 502, 503] as const) {
      server.inject({ kind: 'status5xx', status, requests: 1 });
      const answer = await post(server, { model: MODEL, input: 'x' });
      assert.equal(answer.status, status);
      assert.equal(assertOpenAIError(answer.json).type, 'server_error');
    }
    assert.equal(server.stats().faults.status5xx, 3);
    assert.equal(server.stats().tokens, 0);
  });

  test('timeout: the request is accepted and never answered; a client with a 200 ms timeout gives up', async () => {
    server.inject({ kind: 'timeout' });
    const client = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0, timeout: 200 });
    const started = Date.now();
    await assert.rejects(
      client.embeddings.create({ model: MODEL, input: 'never' }),
      OpenAI.APIConnectionTimeoutError,
    );
    const waited = Date.now() - started;
    assert.ok(waited >= 190 && waited < 2000, `gave up after ${waited} ms`);
    const entry = await pollUntil(() => server.stats().log.find((e) => e.faults.includes('timeout')), {
      what: 'the abandoned request in the log',
    });
    assert.equal(entry.status, 0);
    assert.ok(entry.durationMs >= 150);
    assert.equal(server.stats().faults.timeout, 1);
    assert.equal(server.stats().tokens, 0);
  });

  test('latency: fixed, or drawn from a range; delayed requests are still answered and billed', async () => {
    server.inject({ kind: 'latency', ms: 150 });
    let started = Date.now();
    assert.equal((await post(server, { model: MODEL, input: 'slow' })).status, 200);
    assert.ok(Date.now() - started >= 145);
    server.inject({ kind: 'latency', ms: { min: 50, max: 80 }, requests: 3 });
    for (let i = 0; i < 3; i++) {
      started = Date.now();
      await post(server, { model: MODEL, input: 'slow' });
      const took = Date.now() - started;
      assert.ok(took >= 45, `took ${took} ms`);
    }
    await post(server, { model: MODEL, input: 'fast' });
    const stats = server.stats();
    assert.deepEqual(stats.log.at(-1)?.faults, [], 'the range fault lapsed after 3 requests');
    assert.equal(stats.faults.latency, 4);
    assert.equal(stats.embedded, 5);
  });

  test('a fault for a duration lapses on its own', async () => {
    const started = Date.now();
    server.inject({ kind: 'status5xx', status: 503, durationMs: 300 });
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 503);
    await pollUntil(async () => (await post(server, { model: MODEL, input: 'x' })).status === 200, {
      timeoutMs: 3000,
      what: 'the 503 fault to lapse',
    });
    assert.ok(Date.now() - started >= 290, 'not before its duration');
    assert.deepEqual(server.activeFaults(), []);
  });

  test('failRate fails about that fraction of requests with 500, the same ones for the same seed', async () => {
    const pattern = async () => {
      server.reset();
      server.inject({ kind: 'failRate', rate: 0.3, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++)
        statuses.push((await post(server, { model: MODEL, input: `t${i}` })).status);
      return statuses;
    };
    const first = await pattern();
    const failed = first.filter((s) => s === 500).length;
    assert.ok(failed > 40 && failed < 80, `${failed}/200 failed`);
    assert.deepEqual(await pattern(), first);
    const stats = server.stats();
    assert.equal(stats.faults.failRate, failed);
    assert.equal(stats.embedded, 200 - failed);
  });

  test('wrongDimension answers other dimensions than asked and bills nothing', async () => {
    server.inject({ kind: 'wrongDimension', requests: 1 });
    const body = (await post(server, { model: MODEL, input: 'x', dimensions: 64, encoding_format: 'float' }))
      .json as EmbeddingsBody;
    assert.equal(floats(body).length, 65);
    server.inject({ kind: 'wrongDimension', dimensions: 10, requests: 1 });
    const again = (await post(server, { model: MODEL, input: 'x', encoding_format: 'float' }))
      .json as EmbeddingsBody;
    assert.equal(floats(again).length, 10);
    const stats = server.stats();
    assert.deepEqual([stats.faults.wrongDimension, stats.embedded, stats.tokens], [2, 0, 0]);
  });

  test('the most severe fault wins when several are on; the others are not used up', async () => {
    server.inject({ kind: 'status5xx', requests: 1 });
    server.inject({ kind: 'status429', requests: 1, retryAfterSeconds: 0 });
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 429);
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 500);
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 200);
  });

  test('POST /_control flips faults and resets counters for another process', async () => {
    const control = async (body: unknown) => {
      const r = await fetch(server.url.replace(/\/v1$/, '/_control'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    await post(server, { model: MODEL, input: 'before' });
    const injected = await control({ inject: { kind: 'status5xx', status: 502, requests: 1 } });
    assert.equal(injected.status, 200);
    assert.equal((injected.json.active as unknown[]).length, 1);
    assert.equal((await post(server, { model: MODEL, input: 'x' })).status, 502);
    await control({ inject: [{ kind: 'timeout' }, { kind: 'latency', ms: 5 }] });
    assert.equal(server.activeFaults().length, 2);
    const cleared = await control({ clear: true, reset: true });
    assert.deepEqual(cleared.json.active, []);
    assert.equal((cleared.json.stats as { requests: number }).requests, 0);
    assert.equal((await post(server, { model: MODEL, input: 'after' })).status, 200);
    const read = await fetch(`${server.url.replace(/\/v1$/, '/_control')}?texts`);
    const state = (await read.json()) as {
      stats: { tokens: number; embedded: number };
      texts: Array<[string, number]>;
    };
    assert.deepEqual(state.texts, [['after', 1]]);
    assert.equal(state.stats.tokens, countTokens('after'));
    const bad = await control({ inject: { kind: 'explode' } });
    assert.equal(bad.status, 400);
    assertOpenAIError(bad.json);
    assert.equal((await control({ clear: ['nope'] })).status, 400);
  });

  test('concurrent requests are all counted, before each answer leaves', async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `concurrent ${i % 20}`);
    const answers = await Promise.all(
      texts.map(async (input) => {
        const r = await post(server, { model: MODEL, input });
        // The answer is out: the counters must already include it.
        assert.ok(server.stats().embedded >= 1);
        return r.status;
      }),
    );
    assert.ok(answers.every((s) => s === 200));
    const stats = server.stats();
    assert.equal(stats.requests, 60);
    assert.equal(stats.embedded, 60);
    assert.equal(
      stats.tokens,
      texts.reduce((s, t) => s + countTokens(t), 0),
    );
    assert.equal(stats.texts.size, 20);
    assert.ok([...stats.texts.values()].every((n) => n === 3));
  });

  test('injecting an invalid fault through the typed API throws', () => {
    assert.throws(() => server.inject({ kind: 'failRate', rate: 2 }), { name: 'InvalidFaultError' });
    assert.throws(() => server.inject({ kind: 'latency', ms: 5, requests: 1, durationMs: 5 }), {
      name: 'InvalidFaultError',
    });
  });
});

describe('fake OpenAI server lifecycle', { timeout: 20_000 }, () => {
  test('close() ends hung requests at once and leaves no socket behind', async () => {
    const server = await startFakeOpenAI({ faults: [{ kind: 'timeout' }] });
    const hung = Array.from({ length: 3 }, () =>
      post(server, { model: MODEL, input: 'hang' }, null).then(
        () => 'answered',
        () => 'socket closed',
      ),
    );
    await pollUntil(() => server.stats().faults.timeout === 3, { what: 'three hung requests' });
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 3000, 'close() did not wait for the hung requests');
    assert.deepEqual(await Promise.all(hung), ['socket closed', 'socket closed', 'socket closed']);
    await assert.rejects(fetch(`${server.url}/models`), 'no longer listening');
  });

  test('a delayed request whose client leaves is logged as abandoned, not billed', async () => {
    const server = await startFakeOpenAI({ faults: [{ kind: 'latency', ms: 5000 }] });
    try {
      await assert.rejects(post(server, { model: MODEL, input: 'x' }, null, AbortSignal.timeout(100)));
      const entry = await pollUntil(() => server.stats().log[0], { what: 'the abandoned request' });
      assert.equal(entry.status, 0);
      assert.equal(server.stats().tokens, 0);
    } finally {
      await server.close();
    }
  });

  test('without a configured key any Authorization (or none) is accepted', async () => {
    const server = await startFakeOpenAI();
    try {
      assert.equal((await post(server, { model: 'my-model', input: 'x' }, null)).status, 200);
      const body = (await post(server, { model: 'my-model', input: 'x', encoding_format: 'float' }))
        .json as EmbeddingsBody;
      assert.equal(floats(body).length, 1536, 'unknown models get the default size');
    } finally {
      await server.close();
    }
  });

  test('the CLI entry starts from env, prints its URL and stops on SIGTERM', async () => {
    const main = fileURLToPath(new URL('./fake-openai-main.js', import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        FAKE_OPENAI_PORT: '0',
        FAKE_OPENAI_LATENCY_MS: '20',
        FAKE_OPENAI_API_KEY: 'sk-cli',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [url] = (await once(lines, 'line')) as [string];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const client = new OpenAI({ baseURL: url, apiKey: 'sk-cli', maxRetries: 0 });
      const answer = await client.embeddings.create({ model: MODEL, input: 'from the cli', dimensions: 8 });
      assert.equal(answer.data[0]?.embedding.length, 8);
      const state = (await (await fetch(url.replace(/\/v1$/, '/_control'))).json()) as {
        active: Array<{ fault: { kind: string } }>;
        stats: { embedded: number };
      };
      assert.equal(state.active[0]?.fault.kind, 'latency');
      assert.equal(state.stats.embedded, 1);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
