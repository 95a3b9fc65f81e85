import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = (specs: string[]) => `
import { createFailpoints } from ${JSON.stringify(new URL('./failpoint.js', import.meta.url).href)};
const fp = createFailpoints(${JSON.stringify(specs)});
for (let i = 1; i <= 3; i++) { fp.reach('writer.other'); fp.reach('writer.after-milvus-ack'); console.log('passed', i); }
`;

function run(specs: string[]) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script(specs)], { encoding: 'utf8' });
}

test('an armed failpoint kills the process with SIGKILL the Nth time it is reached, not before', () => {
  const res = run(['writer.after-milvus-ack@2']);
  assert.equal(res.signal, 'SIGKILL');
  assert.equal(res.stdout.trim(), 'passed 1');
});

test('without an armed failpoint, reaching one does nothing', () => {
  const res = run([]);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim().split('\n').length, 3);
});
