import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from './errors.js';
import { loadCliConfig, loadEmbedderConfig, loadRouterConfig, loadWriterConfig } from './load.js';

function problemsOf(fn: () => unknown): Array<{ variable: string; problem: string }> {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

test('defaults give a runnable local setup with the offline provider', () => {
  const c = loadRouterConfig({});
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.topics.input, 'catalog.product-events');
  assert.equal(c.topics.dlq, 'freshet.dlq');
  assert.equal(c.registry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
  assert.equal(c.embedding.provider, 'local');
  assert.equal(c.embedding.model, 'all-minilm-l6-v2-q-mean48+lex');
  assert.equal(c.embedding.dimension, 768);
  assert.deepEqual(c.embedding.local, { workers: 1, threads: 1, batchSize: 1 });
  assert.equal(c.service.httpPort, 9101);
  assert.equal(c.kafka.clientId, 'freshet-router');
});

test('an API key selects the openai provider with text-embedding-3-small at 1536 dimensions', () => {
  const c = loadEmbedderConfig({ FRESHET_EMBEDDING_API_KEY: 'sk-test' });
  assert.equal(c.embedding.provider, 'openai');
  assert.equal(c.embedding.model, 'text-embedding-3-small');
  assert.equal(c.embedding.dimension, 1536);
});

test("the embedder's memory bounds: an 8 MB vector cache and 256 KB fetched per partition, both settable", () => {
  const c = loadEmbedderConfig({});
  assert.equal(c.embedder.cacheMb, 8);
  assert.equal(c.embedder.maxBytesPerPartition, 262_144);
  const set = loadEmbedderConfig({
    FRESHET_EMBED_CACHE_MB: '0',
    FRESHET_EMBEDDER_MAX_BYTES_PER_PARTITION: '1048576',
  });
  assert.equal(set.embedder.cacheMb, 0);
  assert.equal(set.embedder.maxBytesPerPartition, 1_048_576);
  assert.deepEqual(
    problemsOf(() => loadEmbedderConfig({ FRESHET_EMBEDDER_MAX_BYTES_PER_PARTITION: '100' })).map(
      (p) => p.variable,
    ),
    ['FRESHET_EMBEDDER_MAX_BYTES_PER_PARTITION'],
  );
});

test('the local provider runs either installed model; hash is feature hashing at any dimension', () => {
  const bge = loadEmbedderConfig({
    FRESHET_EMBEDDING_MODEL: 'bge-small-en-v1.5-q-cls',
    FRESHET_EMBEDDING_MODELS_DIR: '/models',
    FRESHET_EMBEDDING_WORKERS: '2',
  });
  assert.equal(bge.embedding.provider, 'local');
  assert.equal(bge.embedding.dimension, 384);
  assert.deepEqual(bge.embedding.local, { modelsDir: '/models', workers: 2, threads: 1, batchSize: 1 });
  const hash = loadRouterConfig({ FRESHET_EMBEDDING_PROVIDER: 'hash', FRESHET_EMBEDDING_DIMENSIONS: '96' });
  assert.equal(hash.embedding.model, 'freshet-hash-v1');
  assert.equal(hash.embedding.dimension, 96);
  const byVar = (env: Record<string, string>) =>
    problemsOf(() => loadEmbedderConfig(env)).map((p) => p.variable);
  assert.deepEqual(byVar({ FRESHET_EMBEDDING_MODEL: 'text-embedding-3-small' }), ['FRESHET_EMBEDDING_MODEL']);
  assert.deepEqual(byVar({ FRESHET_EMBEDDING_DIMENSIONS: '512' }), ['FRESHET_EMBEDDING_DIMENSIONS']);
  assert.deepEqual(
    byVar({ FRESHET_EMBEDDING_PROVIDER: 'hash', FRESHET_EMBEDDING_MODEL: 'all-minilm-l6-v2-q-mean' }),
    ['FRESHET_EMBEDDING_MODEL'],
  );
  assert.deepEqual(byVar({ FRESHET_EMBEDDING_WORKERS: '0' }), ['FRESHET_EMBEDDING_WORKERS']);
});

test('a wrong value names the variable and the problem', () => {
  const problems = problemsOf(() =>
    loadWriterConfig({ FRESHET_HTTP_PORT: 'eighty', FRESHET_MILVUS_SSL: 'maybe' }),
  );
  const byVar = new Map(problems.map((p) => [p.variable, p.problem]));
  assert.match(byVar.get('FRESHET_HTTP_PORT') ?? '', /integer/);
  assert.match(byVar.get('FRESHET_MILVUS_SSL') ?? '', /true or false/);
});

test('a misspelt FRESHET_ variable is rejected, another stage’s variable is accepted', () => {
  const problems = problemsOf(() => loadRouterConfig({ FRESHET_KAFKA_BROKER: 'x:1' }));
  assert.deepEqual(
    problems.map((p) => p.variable),
    ['FRESHET_KAFKA_BROKER'],
  );
  assert.doesNotThrow(() => loadRouterConfig({ FRESHET_WRITER_MAX_WAIT_MS: '50' }));
});

test('secrets are read from *_FILE and never echoed in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-config-'));
  const file = join(dir, 'key');
  writeFileSync(file, 'sk-secret-sentinel\n');
  const c = loadEmbedderConfig({ FRESHET_EMBEDDING_API_KEY_FILE: file });
  assert.equal(c.embedding.apiKey, 'sk-secret-sentinel');
  const problems = problemsOf(() =>
    loadEmbedderConfig({ FRESHET_EMBEDDING_API_KEY: 'sk-secret-sentinel', FRESHET_EMBED_LINGER_MS: '-1' }),
  );
  assert.ok(!JSON.stringify(problems).includes('sk-secret-sentinel'));
  const missing = problemsOf(() => loadEmbedderConfig({ FRESHET_EMBEDDING_API_KEY_FILE: join(dir, 'nope') }));
  assert.equal(missing[0]?.variable, 'FRESHET_EMBEDDING_API_KEY_FILE');
});

test('SASL needs a username and a password', () => {
  const problems = problemsOf(() => loadRouterConfig({ FRESHET_KAFKA_SASL_MECHANISM: 'scram-sha-512' }));
  assert.equal(problems[0]?.variable, 'FRESHET_KAFKA_SASL_USERNAME');
  const c = loadRouterConfig({
    FRESHET_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    FRESHET_KAFKA_SASL_USERNAME: 'u',
    FRESHET_KAFKA_SASL_PASSWORD: 'p',
    FRESHET_KAFKA_SSL: 'true',
  });
  assert.deepEqual(c.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.deepEqual(c.kafka.ssl, { rejectUnauthorized: true });
});

test('a Kafka CA file that is unreadable, not PEM, or given with TLS off is refused naming the variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-ca-'));
  const pem = join(dir, 'ca.crt');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const notPem = join(dir, 'ca.der');
  writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]));
  const tls = { FRESHET_KAFKA_SSL: 'true' };
  assert.deepEqual(loadRouterConfig({ ...tls, FRESHET_KAFKA_SSL_CA_FILE: pem }).kafka.ssl, {
    caFile: pem,
    rejectUnauthorized: true,
  });
  for (const [env, problem] of [
    [{ ...tls, FRESHET_KAFKA_SSL_CA_FILE: join(dir, 'missing.crt') }, /cannot read .*missing\.crt/],
    [{ ...tls, FRESHET_KAFKA_SSL_CA_FILE: notPem }, /no PEM certificate/],
    [{ FRESHET_KAFKA_SSL_CA_FILE: pem }, /FRESHET_KAFKA_SSL is false/],
  ] as const) {
    const problems = problemsOf(() => loadRouterConfig(env));
    assert.equal(problems[0]?.variable, 'FRESHET_KAFKA_SSL_CA_FILE');
    assert.match(problems[0]?.problem ?? '', problem);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the CLI reads the same connection, topic, group and model variables as the stages', () => {
  const c = loadCliConfig({
    FRESHET_TOPIC_INPUT: 'in',
    FRESHET_WRITER_GROUP_ID: 'w',
    FRESHET_CLI_WRITER_URL: 'http://writer:9103',
    FRESHET_CLI_OUTPUT: 'json',
    // Another service's variable in a shared ConfigMap is fine.
    FRESHET_EMBED_LINGER_MS: '5',
  });
  assert.equal(c.topics.input, 'in');
  assert.equal(c.topics.dlqReplays, 'freshet.dlq-replays');
  assert.deepEqual(c.groups, { router: 'freshet-router', embedder: 'freshet-embedder', writer: 'w' });
  assert.deepEqual(c.stageUrls, { writer: 'http://writer:9103' });
  assert.deepEqual(c.localStageUrls, {
    router: 'http://127.0.0.1:9101',
    embedder: 'http://127.0.0.1:9102',
    writer: 'http://127.0.0.1:9103',
  });
  assert.equal(
    loadCliConfig({ FRESHET_EMBEDDER_PORT: '19702' }).localStageUrls.embedder,
    'http://127.0.0.1:19702',
  );
  // deploy/local passes its stage ports to every stage: they are known variables there too.
  assert.equal(loadRouterConfig({ FRESHET_WRITER_PORT: '19703' }).service.httpPort, 9101);
  assert.equal(c.output, 'json');
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.kafka.clientId, 'freshet-cli');
  assert.equal(c.embedding.dimension, 768);
  assert.equal(c.milvus.collection, 'products');
  const problems = problemsOf(() =>
    loadCliConfig({ FRESHET_CLI_ROUTER_URL: 'not a url', FRESHET_CLI_OUTPT: 'json' }),
  );
  assert.deepEqual(problems.map((p) => p.variable).sort(), ['FRESHET_CLI_OUTPT', 'FRESHET_CLI_ROUTER_URL']);
});

test('failpoints are off by default and a malformed one names FRESHET_FAILPOINTS', () => {
  assert.deepEqual(loadWriterConfig({}).service.failpoints, []);
  assert.deepEqual(loadWriterConfig({ FRESHET_FAILPOINTS: 'writer.after-milvus-ack@3' }).service.failpoints, [
    'writer.after-milvus-ack@3',
  ]);
  const problems = problemsOf(() => loadWriterConfig({ FRESHET_FAILPOINTS: 'writer.after-milvus-ack@0' }));
  assert.equal(problems[0]?.variable, 'FRESHET_FAILPOINTS');
});
