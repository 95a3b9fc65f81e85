// The `local` provider against the real installed models (deploy/local/install models; test/run does it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runRecordingModules } from '@freshet/testkit';
import { EmbeddingAbortedError, LocalModelMissingError } from './errors.js';
import { defaultModelsDir, LOCAL_MODELS } from './local-models.js';
import { LocalEmbeddingProvider, type LocalProviderOptions, workerExecArgv } from './local-provider.js';

const LIMIT = { timeout: 120_000 };
const MINILM = LOCAL_MODELS['all-minilm-l6-v2-q-mean']!;
const BGE = LOCAL_MODELS['bge-small-en-v1.5-q-cls']!;
const MINILM_LEX = LOCAL_MODELS['all-minilm-l6-v2-q-mean+lex']!;
const modelsDir = process.env.FRESHET_EMBEDDING_MODELS_DIR ?? defaultModelsDir();

const open: LocalEmbeddingProvider[] = [];
after(() => Promise.all(open.map((p) => p.close())));
function provider(options: Partial<LocalProviderOptions> = {}): LocalEmbeddingProvider {
  const p = new LocalEmbeddingProvider({
    model: MINILM,
    modelsDir,
    workers: 1,
    threads: 1,
    batchSize: 1,
    input: 'document',
    ...options,
  });
  open.push(p);
  return p;
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(cosine(a, a));

test('the model loads with every network call refused, and embeds', LIMIT, () => {
  // A child process whose main thread and workers (they inherit --import) fail any fetch or socket.
  const block = `
    import net from 'node:net';
    const refuse = (what) => { process.stderr.write('NETWORK ' + what + '\\n'); throw new Error('network refused by the test'); };
    globalThis.fetch = async (url) => refuse('fetch ' + url);
    net.Socket.prototype.connect = function () { refuse('connect'); };
  `;
  const script = `
    const { LocalEmbeddingProvider, LOCAL_MODELS } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
    const p = new LocalEmbeddingProvider({ model: LOCAL_MODELS['${BGE.id}'], modelsDir: ${JSON.stringify(modelsDir)},
      workers: 1, threads: 1, batchSize: 8, input: 'query' });
    await p.ready();
    const [v] = await p.embed(['noise cancelling headphones']);
    console.log(JSON.stringify({ length: v.length }));
    await p.close();
  `;
  const dir = mkdtempSync(join(tmpdir(), 'freshet-offline-'));
  writeFileSync(join(dir, 'block.mjs'), block);
  writeFileSync(join(dir, 'load.mjs'), script);
  const child = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(join(dir, 'block.mjs')).href, join(dir, 'load.mjs')],
    {
      encoding: 'utf8',
      timeout: 100_000,
    },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.doesNotMatch(child.stderr, /NETWORK/);
  assert.deepEqual(JSON.parse(child.stdout.trim()), { length: 384 });
});

test('a model folder that is not installed is refused at once, naming the install command', () => {
  const empty = mkdtempSync(join(tmpdir(), 'freshet-models-'));
  assert.throws(
    () => provider({ modelsDir: empty }),
    (error) =>
      error instanceof LocalModelMissingError &&
      error.code === 'FRESHET_EMBEDDING_MODEL_MISSING' &&
      /deploy\/local\/install models/.test(error.message),
  );
});

for (const model of [MINILM, BGE]) {
  test(
    `${model.id}: a paraphrase is nearer than an unrelated product, and vectors are unit length`,
    LIMIT,
    async () => {
      const documents = provider({ model });
      const queries = provider({ model, input: 'query' });
      const [query] = await queries.embed(['noise cancelling headphones']);
      const [anc, espresso] = await documents.embed(['ANC over-ear headset', 'espresso machine']);
      assert.equal(query!.length, 384);
      assert.ok(Math.abs(norm(query!) - 1) < 1e-4);
      assert.ok(
        cosine(query!, anc!) > cosine(query!, espresso!) + 0.1,
        `headset ${cosine(query!, anc!)} vs espresso ${cosine(query!, espresso!)}`,
      );
    },
  );
}

test(
  'vectors are deterministic: the same text gives the same vector, alone or among others',
  LIMIT,
  async () => {
    const a = provider();
    const b = provider();
    const texts = [
      'Sonvari Pro 6X Wireless Noise Cancelling Headphones',
      'espresso machine',
      'a',
      'stainless kettle',
    ];
    const [alone] = await a.embed([texts[0]!]);
    const among = await b.embed(texts);
    const again = await a.embed([...texts].reverse());
    assert.equal(among.length, 4);
    assert.deepEqual(among[0], alone);
    assert.deepEqual([...again].reverse(), among);
    // Batched inference quantizes activations per batch: close to, not equal to, the text alone.
    const [batched] = await provider({ batchSize: 4 }).embed(texts);
    assert.ok(cosine(batched!, alone!) > 0.98, `cosine ${cosine(batched!, alone!)}`);
  },
);

test('only search queries get BGE’s query instruction', LIMIT, async () => {
  const text = 'noise cancelling headphones';
  const [bgeDoc] = await provider({ model: BGE }).embed([text]);
  const [bgeQuery] = await provider({ model: BGE, input: 'query' }).embed([text]);
  assert.ok(cosine(bgeDoc!, bgeQuery!) < 0.999, 'the instruction changes the query vector');
  const [miniDoc] = await provider().embed([text]);
  const [miniQuery] = await provider({ input: 'query' }).embed([text]);
  assert.deepEqual(miniDoc, miniQuery);
});

test('a text over the model limit is truncated and counted, not failed', LIMIT, async () => {
  let truncated = 0;
  let tokens = 0;
  const p = provider({ onTruncated: (n) => (truncated += n), onTokens: (n) => (tokens += n) });
  const long = 'wireless headphones with a long battery life '.repeat(200);
  const [v, short] = await p.embed([long, 'short text']);
  assert.equal(v!.length, 384);
  assert.equal(short!.length, 384);
  assert.equal(truncated, 1);
  // What the model read: the long text cut at MiniLM's 64, and [CLS] short text [SEP].
  assert.equal(tokens, MINILM.maxTokens + 4);
});

test(
  'an embedding client on the local or hash provider never loads the cl100k encoding or the OpenAI SDK',
  LIMIT,
  () => {
    // Every module the child resolves, imported or required, in its main thread.
    const out = runRecordingModules<{
      hash: { dimension: number; loaded: number };
      local: { dimension: number; loaded: number };
      openai: { tokens: number; loaded: number };
    }>(`
    const { createEmbeddingClient } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
    const { Registry } = await import(${JSON.stringify(import.meta.resolve('prom-client'))});
    const loaded = () => resolved.filter((u) => u.includes('gpt-tokenizer') || u.includes('/openai/')).length;
    const out = {};
    for (const provider of ['hash', 'local']) {
      const client = createEmbeddingClient({ provider, local: { modelsDir: ${JSON.stringify(modelsDir)} } }, { registry: new Registry() });
      await client.ready();
      const vector = await client.embed('noise cancelling headphones');
      out[provider] = { dimension: vector.length, loaded: loaded() };
      await client.close();
    }
    const api = createEmbeddingClient({ provider: 'openai', openai: { baseURL: 'http://127.0.0.1:9/v1' } }, { registry: new Registry() });
    out.openai = { tokens: api.countTokens('hello world'), loaded: loaded() };
    await api.close();
    console.log(JSON.stringify(out));
  `);
    assert.deepEqual(out.hash, { dimension: 384, loaded: 0 });
    assert.deepEqual(out.local, { dimension: MINILM_LEX.dimension, loaded: 0 });
    // The check sees them when they do load: the openai provider and its token count.
    assert.equal(out.openai.tokens, 2);
    assert.ok(out.openai.loaded >= 2, JSON.stringify(out));
  },
);

test('inference runs off the event loop: timers keep firing during a large batch', LIMIT, async () => {
  const p = provider();
  await p.ready();
  const texts = Array.from(
    { length: 128 },
    (_, i) =>
      `Product ${i}: over-ear wireless headphones with adaptive noise cancelling, 30 hour battery, foldable, black`,
  );
  let longestGapMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  await p.embed(texts);
  const tookMs = performance.now() - started;
  clearInterval(timer);
  // The batch takes seconds; a blocked loop would show one gap as long as the batch.
  assert.ok(longestGapMs < Math.max(250, tookMs / 4), `longest gap ${longestGapMs} ms in ${tookMs} ms`);
});

test('a closed provider refuses calls and rejects what was queued', LIMIT, async () => {
  const p = provider();
  const rejected = assert.rejects(
    p.embed(Array.from({ length: 64 }, (_, i) => `text ${i}`)),
    EmbeddingAbortedError,
  );
  await p.close();
  await rejected;
  await assert.rejects(p.embed(['x']), EmbeddingAbortedError);
});

test('an aborted call rejects at once', LIMIT, async () => {
  const p = provider();
  const stop = new AbortController();
  const rejected = assert.rejects(p.embed(['a', 'b'], stop.signal), EmbeddingAbortedError);
  stop.abort(new Error('shutdown'));
  await rejected;
});

test('workers keep the parent’s preloads and source maps, never per-process or eval flags', () => {
  assert.deepEqual(
    workerExecArgv([
      '--enable-source-maps',
      '--import',
      'file:///a.mjs',
      '--require=b.cjs',
      '--input-type=module',
      '--stack-trace-limit=10',
      '--secure-heap=0',
    ]),
    ['--enable-source-maps', '--import', 'file:///a.mjs', '--require=b.cjs'],
  );
});

test(
  'closing while the model is still loading waits for it instead of aborting the process',
  LIMIT,
  async () => {
    // Terminating a worker inside ONNX Runtime's session set-up kills the process with a native abort.
    const p = provider();
    await p.close();
    await assert.rejects(p.ready(), EmbeddingAbortedError);
  },
);

test('a +lex model is the model vector, scaled, followed by the words of the text', LIMIT, async () => {
  const texts = ['Espresso Machine, Black', 'warm puffy coat for snowy winters'];
  const dense = await provider().embed(texts);
  const hybrid = provider({ model: MINILM_LEX });
  assert.equal(hybrid.dimension, 768);
  const combined = await hybrid.embed(texts);
  for (const [i, v] of combined.entries()) {
    assert.equal(v.length, 768);
    assert.ok(Math.abs(norm(v) - 1) < 1e-4, `unit length, got ${norm(v)}`);
    const head = v.subarray(0, 384);
    // The model's part is its own vector times √0.75: the same direction, a cosine of 1.
    assert.ok(Math.abs(cosine(head, dense[i]!) / norm(head) - 1) < 1e-4);
    assert.ok(Math.abs(norm(head) - Math.sqrt(0.75)) < 1e-4);
  }
});
