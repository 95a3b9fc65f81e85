// Issue 14 §3: the three services and the CLI through the local broker's SASL_SSL listener (SCRAM-SHA-512,
// TLS from the local CA), and the ways a secured connection fails: each names its cause, never the secret.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { groupLag } from '@freshet/kafka';
import { allRows, createMilvusClient, dropAll } from '@freshet/milvus';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { cliEnv, deleteSubjects, jsonOf, runCli } from './support/cli.js';
import {
  connectKafka,
  type PipelineNames,
  stageEnv,
  type TestKafka,
  uniqueNames,
  waitDrained,
} from './support/pipeline.js';
import { waitFor } from './support/ports.js';
import { type SaslListener, saslListener, untrustedCa } from './support/sasl.js';
import { type RunningService, type Stage, spawnService, startService } from './support/services.js';
import { ensureStack, STACK } from './support/stack.js';

const WRONG_PASSWORD = 'wrong-password-sentinel-7f3a';

let sasl: SaslListener;
let names: PipelineNames;
let env: Record<string, string>;
let tk: TestKafka;
let dir: string;
const services: RunningService[] = [];
const milvus = createMilvusClient({ address: STACK.milvus });

before(async () => {
  await ensureStack();
  sasl = await saslListener();
  names = uniqueNames('sasl');
  dir = mkdtempSync(join(tmpdir(), 'freshet-sasl-'));
  // The password reaches the services and the CLI as a mounted file would (FRESHET_KAFKA_SASL_PASSWORD_FILE).
  const passwordFile = join(dir, 'kafka-password');
  writeFileSync(passwordFile, `${sasl.password}\n`);
  const { FRESHET_KAFKA_SASL_PASSWORD: _inline, ...withoutPassword } = sasl.env;
  env = { ...cliEnv(names), ...withoutPassword, FRESHET_KAFKA_SASL_PASSWORD_FILE: passwordFile };
  // The test's own client goes through the SASL_SSL listener as well.
  tk = await connectKafka(names, 3, sasl.connection);
});

after(async () => {
  await Promise.all(services.map((s) => s.kill9()));
  if (tk) {
    await tk.admin
      .deleteTopics({ topics: [names.input, names.embed, names.index, names.dlq] })
      .catch(() => {});
    await tk.close();
  }
  if (names) await deleteSubjects([names.input, names.embed, names.index]);
  if (names) await dropAll(milvus, names.collection);
  await milvus.closeConnection();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function servicesEnv(stage: Stage): Record<string, string> {
  return { ...stageEnv(names, stage), ...env };
}

test('events produced by the CLI over SASL_SSL reach Milvus through the three services; a bad one reaches the DLQ; offsets are committed', async () => {
  services.push(
    ...(await Promise.all(
      (['router', 'embedder', 'writer'] as const).map((stage) => startService(stage, servicesEnv(stage))),
    )),
  );
  const catalog = readFileSync(SAMPLE_CATALOG.path, 'utf8').split('\n').filter(Boolean).slice(0, 12);
  const good = catalog.map((l) => (JSON.parse(l) as { productId: string }).productId);
  const first = JSON.parse(catalog[0]!) as { product: Record<string, unknown> };
  const negativePrice = {
    productId: 'p-negative-price',
    product: { ...first.product, price: { amountMinor: -100, currency: 'USD' } },
  };
  const file = join(dir, 'catalog.jsonl');
  writeFileSync(file, `${[...catalog, JSON.stringify(negativePrice)].join('\n')}\n`);

  const produced = await runCli(['produce', file, '--json'], env);
  assert.equal(produced.code, 0, produced.stderr);
  assert.equal(jsonOf<{ produced: number }>(produced).produced, 13);

  await waitDrained(tk, names, 120000, services);
  const rows = await allRows(milvus, names.collection);
  assert.deepEqual(rows.map((r) => r.productId).sort(), [...good].sort());

  // Every stage committed to the end of its topic through the SASL_SSL listener.
  for (const [group, topic] of [
    [names.groups.router, names.input],
    [names.groups.embedder, names.embed],
    [names.groups.writer, names.index],
  ] as const) {
    const lag = await groupLag(tk.admin, group, topic);
    assert.ok(lag.length > 0 && lag.every((p) => p.lag === 0), `${group}: ${JSON.stringify(lag)}`);
  }
  const offsets = await tk.admin.fetchOffsets({ groupId: names.groups.router, topics: [names.input] });
  const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, 13, 'the router committed every produced record');

  const dlq = await runCli(['dlq', 'list', '--json'], env);
  assert.equal(dlq.code, 0, dlq.stderr);
  const listed = jsonOf<{ entries: Array<{ reason: string; key: string | null }> }>(dlq);
  assert.deepEqual(
    listed.entries.map((e) => [e.key, e.reason]),
    [['p-negative-price', 'FRESHET_PRICE_INVALID']],
  );
  for (const s of services) assert.ok(!readFileSync(s.logFile, 'utf8').includes(sasl.password));
});

test('a wrong password: the CLI fails with FRESHET_KAFKA_AUTH_FAILED; a service stays up unready with the reason and retries; the password is in no log line', async () => {
  const { FRESHET_KAFKA_SASL_PASSWORD_FILE: _file, ...rest } = env;
  const wrong = { ...rest, FRESHET_KAFKA_SASL_PASSWORD: WRONG_PASSWORD };

  const cli = await runCli(['provision'], wrong);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    new RegExp(
      `FRESHET_KAFKA_AUTH_FAILED: Kafka authentication failed for user '${sasl.username}' \\(SCRAM-SHA-512\\)`,
    ),
  );
  assert.ok(!`${cli.stdout}${cli.stderr}`.includes(WRONG_PASSWORD));

  const router = await spawnService('router', { ...stageEnv(names, 'router'), ...wrong });
  services.push(router);
  const readiness = await waitFor(
    'router /readyz names the authentication failure',
    async () => {
      const res = await fetch(`${router.url}/readyz`).catch(() => undefined);
      if (!res) return false;
      const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
      return res.status === 503 && /FRESHET_KAFKA_AUTH_FAILED/.test(body.checks.startup?.detail ?? '')
        ? body
        : false;
    },
    60000,
    200,
  );
  assert.equal(readiness.checks.startup?.ok, false);
  assert.match(
    readiness.checks.startup?.detail ?? '',
    new RegExp(`authentication failed for user '${sasl.username}'`),
  );
  // It retries with backoff (1 s, then up to 30 s) instead of exiting into a restart loop.
  await waitFor(
    'a second failed attempt',
    () =>
      (readFileSync(router.logFile, 'utf8').match(/cannot connect to Kafka; retrying/g) ?? []).length >= 2,
    30000,
    200,
  );
  assert.equal(router.process.exitCode, null, 'still running');
  assert.equal((await fetch(`${router.url}/healthz`)).status, 200, 'alive, so no liveness restart');
  const log = readFileSync(router.logFile, 'utf8');
  assert.match(log, /FRESHET_KAFKA_AUTH_FAILED/);
  assert.ok(!log.includes(WRONG_PASSWORD), 'the password appears in no log line');
  assert.ok(!log.includes(sasl.password));
  await router.kill9();
});

test('a CA that did not sign the broker certificate: TLS verification failed, named as such', async () => {
  const cli = await runCli(['provision'], { ...env, FRESHET_KAFKA_SSL_CA_FILE: untrustedCa(dir) });
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    /FRESHET_KAFKA_TLS_FAILED: TLS verification of the Kafka broker at \S+ failed \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE):/,
  );
  assert.ok(!cli.stderr.includes(sasl.password));
});

test('a plaintext client on the SASL_SSL port gets a clear error, not a hang', async () => {
  const { FRESHET_KAFKA_SSL_CA_FILE: _ca, ...rest } = env;
  const plaintext = { ...rest, FRESHET_KAFKA_SSL: 'false', FRESHET_KAFKA_SASL_MECHANISM: 'none' };
  const cli = await runCli(['provision'], plaintext, 90000);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    /FRESHET_KAFKA_CONNECTION_CLOSED: .*closed the connection.*FRESHET_KAFKA_SSL=true/,
  );
});
