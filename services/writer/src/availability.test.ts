import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@freshet/telemetry';
import { MilvusAvailability } from './availability.js';

const logger = createLogger({ service: 'writer-test', level: 'silent' });

function fakeRunner() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

const until = async (what: string, ok: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('an outage pauses once; the probe resumes consumption when Milvus answers, with no batch left to retry', async () => {
  const runner = fakeRunner();
  let milvusUp = false;
  let probes = 0;
  const availability = new MilvusAvailability(
    runner,
    async () => {
      probes++;
      if (!milvusUp) throw new Error('ECONNREFUSED');
    },
    { probeMs: 10, logger },
  );
  availability.unavailable(new Error('down'));
  availability.unavailable(new Error('still down'));
  assert.deepEqual(runner.calls, ['pause'], 'paused once');
  assert.equal(availability.isUp(), false);
  await until('a few failed probes', () => probes >= 3);
  assert.deepEqual(runner.calls, ['pause'], 'failed probes change nothing');
  milvusUp = true;
  await until('resumed', () => availability.isUp());
  assert.deepEqual(runner.calls, ['pause', 'resume']);
  const after = probes;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(probes, after, 'no probing once Milvus is up');
});

test('a batch that succeeds resumes at once and stops the probe', async () => {
  const runner = fakeRunner();
  let probes = 0;
  const availability = new MilvusAvailability(
    runner,
    async () => {
      probes++;
      throw new Error('down');
    },
    { probeMs: 10, logger },
  );
  availability.available();
  assert.deepEqual(runner.calls, [], 'nothing to resume while up');
  availability.unavailable(new Error('down'));
  availability.available();
  assert.deepEqual(runner.calls, ['pause', 'resume']);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(probes, 0);
  availability.stop();
});
