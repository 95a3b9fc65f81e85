// deploy/local on its own ports and state folder (issue 3 proof): `up` twice is harmless, `down` leaves no
// process behind, and `up` refuses a port held by someone else, naming it. Kafka and Milvus only: the shared
// stack the other tests use is never touched (its registry is used as it is). Issue 15: `up stages` runs the
// three stages in the background, `status` and `freshet status` (no URL given) show them, `down` stops them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI_MAIN } from './support/cli.js';
import { freePort, isListening } from './support/ports.js';
import { REPO_ROOT, STACK } from './support/stack.js';

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), 'freshet-local-stack-'));
let env: NodeJS.ProcessEnv;

async function local(command: 'up' | 'down' | 'status', ...args: string[]) {
  return runScript(join(REPO_ROOT, 'deploy/local', command), args);
}

async function runScript(file: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(file, args, {
      env: { ...env, ...extraEnv },
      timeout: 180_000,
    });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: (e.stdout ?? '') + (e.stderr ?? ''), stdout: e.stdout ?? '' };
  }
}

function pids(): Record<string, number> {
  const dir = join(state, 'pids');
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f.replace(/\.pid$/, ''), Number(readFileSync(join(dir, f), 'utf8'))]),
  );
}

/** Every live process whose command line mentions this test's state folder. */
function processesUsingState(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(state)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

before(async () => {
  env = {
    ...process.env,
    FRESHET_STATE: state,
    FRESHET_KAFKA_PORT: String(await freePort()),
    FRESHET_KAFKA_CONTROLLER_PORT: String(await freePort()),
    FRESHET_KAFKA_SASL_PORT: String(await freePort()),
    FRESHET_MILVUS_PORT: String(await freePort()),
    FRESHET_ROUTER_PORT: String(await freePort()),
    FRESHET_EMBEDDER_PORT: String(await freePort()),
    FRESHET_WRITER_PORT: String(await freePort()),
  };
  // The stages talk to this test's Kafka and Milvus and to the shared registry, whatever the caller exported.
  env.FRESHET_KAFKA_BROKERS = `127.0.0.1:${env.FRESHET_KAFKA_PORT}`;
  env.FRESHET_MILVUS_ADDRESS = `127.0.0.1:${env.FRESHET_MILVUS_PORT}`;
  env.FRESHET_REGISTRY_URL = STACK.registry;
});

after(async () => {
  await local('down');
  rmSync(state, { recursive: true, force: true });
});

test('up twice in a row is harmless, and down leaves no process behind', async () => {
  const first = await local('up', 'kafka', 'milvus');
  assert.equal(first.code, 0, first.out);
  assert.ok(await isListening(Number(env.FRESHET_KAFKA_PORT)), 'kafka listens');
  assert.ok(await isListening(Number(env.FRESHET_KAFKA_SASL_PORT)), 'kafka listens on SASL_SSL too');
  assert.match(
    readFileSync(join(state, 'kafka-sasl.env'), 'utf8'),
    /FRESHET_KAFKA_SASL_MECHANISM=scram-sha-512/,
  );
  assert.ok(await isListening(Number(env.FRESHET_MILVUS_PORT)), 'milvus listens');
  const started = pids();
  assert.deepEqual(Object.keys(started).sort(), ['kafka', 'milvus']);

  const second = await local('up', 'kafka', 'milvus');
  assert.equal(second.code, 0, second.out);
  assert.match(second.out, /kafka already running/);
  assert.match(second.out, /milvus already running/);
  assert.deepEqual(pids(), started, 'the second up started nothing new');
  assert.equal((await local('status', '--quiet', 'kafka', 'milvus')).code, 0);

  const down = await local('down', 'kafka', 'milvus');
  assert.equal(down.code, 0, down.out);
  for (const [name, pid] of Object.entries(started)) assert.ok(!alive(pid), `${name} (pid ${pid}) is gone`);
  assert.deepEqual(processesUsingState(), [], 'no process of this stack is left');
  assert.ok(!(await isListening(Number(env.FRESHET_MILVUS_PORT))), 'milvus port closed');
  assert.ok(!(await isListening(Number(env.FRESHET_KAFKA_SASL_PORT))), 'kafka SASL_SSL port closed');
  assert.notEqual((await local('status', '--quiet', 'kafka', 'milvus')).code, 0, 'status reports it stopped');
  const again = await local('down', 'kafka', 'milvus');
  assert.equal(again.code, 0, 'down is idempotent');
});

test('up refuses a port held by another process and names it', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) =>
    squatter.listen(Number(env.FRESHET_MILVUS_PORT), '127.0.0.1', resolve),
  );
  try {
    const res = await local('up', 'milvus');
    assert.notEqual(res.code, 0);
    assert.match(res.out, new RegExp(`port ${env.FRESHET_MILVUS_PORT} for milvus is taken`));
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
});

const STAGES = ['router', 'embedder', 'writer'] as const;
const stagePort = (stage: (typeof STAGES)[number]) => Number(env[`FRESHET_${stage.toUpperCase()}_PORT`]);

test('up stages runs the three stages in the background; status and freshet status show them; down stops them', async () => {
  // hash: no model to load in CI; the refusal at the end needs a collection of another model than the default.
  const hash = { FRESHET_EMBEDDING_PROVIDER: 'hash' };
  const up = await runScript(join(REPO_ROOT, 'deploy/local/up'), ['stages'], hash);
  assert.equal(up.code, 0, up.out);
  const started = pids();
  for (const stage of STAGES) {
    assert.ok(started[stage] !== undefined && alive(started[stage]), `${stage} runs: ${up.out}`);
    const ready = await fetch(`http://127.0.0.1:${stagePort(stage)}/readyz`);
    assert.equal(ready.status, 200, `${stage} /readyz`);
  }
  assert.ok(!('registry' in started), 'the registry that already answered was used, not started');

  const again = await runScript(join(REPO_ROOT, 'deploy/local/up'), ['stages'], hash);
  assert.equal(again.code, 0, again.out);
  for (const stage of STAGES) assert.match(again.out, new RegExp(`${stage} already running`));
  assert.deepEqual(pids(), started, 'the second up started nothing new');

  const status = await local('status', 'stages');
  assert.equal(status.code, 0, status.out);
  for (const stage of STAGES)
    assert.match(
      status.out,
      new RegExp(`${stage} +running +pid ${started[stage]} +port ${stagePort(stage)}`),
    );

  // `freshet status` with no URL reads each stage at deploy/local's address (FRESHET_<STAGE>_PORT).
  const cli = await runScript(process.execPath, [CLI_MAIN, 'status', '--json', '--interval', '200']);
  assert.equal(cli.code, 0, cli.out);
  const report = JSON.parse(cli.stdout) as {
    stages: Array<{ stage: string; lag: number | null; metrics?: { url: string; ready: boolean } }>;
  };
  assert.deepEqual(
    report.stages.map((s) => [s.stage, s.metrics?.url, s.metrics?.ready]),
    STAGES.map((stage) => [stage, `http://127.0.0.1:${stagePort(stage)}`, true]),
  );

  const stop = await local('down', 'stages');
  assert.equal(stop.code, 0, stop.out);
  for (const stage of STAGES) {
    assert.ok(!alive(started[stage]!), `${stage} (pid ${started[stage]}) is gone`);
    assert.ok(!(await isListening(stagePort(stage))), `${stage} port closed`);
  }
  assert.match(stop.out, /writer stopped/);
  assert.ok(alive(started.kafka!), '`down stages` leaves the stack running');
  assert.notEqual((await local('status', '--quiet', 'stages')).code, 0, 'status reports the stages stopped');
  // Nothing answers at the default addresses now: lag only, a note per stage, and no failure.
  const cliAfter = await runScript(process.execPath, [CLI_MAIN, 'status', '--interval', '100']);
  assert.equal(cliAfter.code, 0, cliAfter.out);
  for (const stage of STAGES)
    assert.match(
      cliAfter.out,
      new RegExp(`note: no ${stage} answers at http://127\\.0\\.0\\.1:${stagePort(stage)}`),
    );

  // The default model against the hash collection: the embedder refuses (it stays up, unready), and `up`
  // says why at once instead of waiting out its timeout.
  const began = Date.now();
  const refused = await local('up', 'embedder');
  assert.notEqual(refused.code, 0, refused.out);
  assert.match(refused.out, /embedder refusing to run: FRESHET_MODEL_MISMATCH/);
  assert.ok(
    Date.now() - began < 100_000,
    `up gave up after ${Date.now() - began} ms, not at its 120 s timeout`,
  );

  const down = await local('down');
  assert.equal(down.code, 0, down.out);
  for (const [name, pid] of Object.entries(started)) assert.ok(!alive(pid), `${name} (pid ${pid}) is gone`);
  assert.match(down.out, /embedder stopped/, 'down stopped the refusing embedder too');
  assert.deepEqual(processesUsingState(), [], 'no process of this stack is left');
});
