// The built CLI as a process, with no stack: help, usage errors and configuration errors exit as documented.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
// Unreachable dependencies: a usage error must be reported before anything is contacted.
const ENV = {
  PATH: process.env.PATH ?? '',
  FRESHET_KAFKA_BROKERS: '127.0.0.1:1',
  FRESHET_MILVUS_ADDRESS: '127.0.0.1:1',
};

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...ENV, ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help lists every command and the exit codes', () => {
  const r = cli(['--help']);
  assert.equal(r.code, 0);
  for (const name of ['provision', 'produce', 'backfill', 'search', 'status', 'dlq']) {
    assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
  }
  assert.match(r.stdout, /Exit codes:\n {2}0 {2}success\n {2}1 {2}failure.*\n {2}2 {2}usage error/);
  const dlq = cli(['dlq', '--help']);
  assert.equal(dlq.code, 0);
  for (const name of ['list', 'show', 'replay'])
    assert.match(dlq.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
});

test('every command has its own --help', () => {
  for (const args of [
    ['provision'],
    ['produce'],
    ['backfill'],
    ['search'],
    ['status'],
    ['dlq', 'list'],
    ['dlq', 'show'],
    ['dlq', 'replay'],
  ]) {
    const r = cli([...args, '--help']);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, new RegExp(`^Usage: freshet ${args.join(' ')}`), args.join(' '));
  }
});

test('bad usage exits 2 with a message saying what is wrong', () => {
  const cases: Array<[string[], RegExp]> = [
    [['nope'], /unknown command 'nope'/],
    [['search'], /missing required argument 'text'/],
    [['search', 'x', '--k', 'ten'], /option '-k, --k <n>' argument 'ten' is invalid/],
    [['produce', 'c.jsonl', '--on-error', 'maybe'], /Allowed choices are fail, skip/],
    [['produce', '/nonexistent/catalog.jsonl'], /cannot read \/nonexistent\/catalog\.jsonl/],
    [['backfill', 'c.jsonl', '--rate', '0'], /expected a number > 0/],
    [['status', '--interval', '5'], /expected an integer from 100/],
    [['dlq'], /Usage: freshet dlq/],
    [['dlq', 'show', 'three'], /expected <partition>:<offset>/],
    [['dlq', 'replay', '--filter', 'why=x'], /expected reason=CODE/],
    [['search', 'x', '--max-price', '5', '--max-price-minor', '500'], /cannot be used with/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('a wrong FRESHET_* variable exits 2 naming it, as JSON on stdout with --json', () => {
  const typo = cli(['status'], { FRESHET_KAFKA_BROKER: 'x:1' });
  assert.equal(typo.code, 2);
  assert.match(
    typo.stderr,
    /FRESHET_CONFIG_INVALID: invalid configuration:\n {2}FRESHET_KAFKA_BROKER: unknown variable/,
  );
  const bad = cli(['search', 'x', '--json'], { FRESHET_EMBEDDING_DIMENSIONS: 'many' });
  assert.equal(bad.code, 2);
  const body = JSON.parse(bad.stdout) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'FRESHET_CONFIG_INVALID');
  assert.match(body.error.message, /FRESHET_EMBEDDING_DIMENSIONS/);
});

test('an unreachable dependency is a failure (exit 1), not a usage error', () => {
  const r = cli(['search', 'kettle'], { FRESHET_MILVUS_ADDRESS: '127.0.0.1:1' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^freshet: /m);
});
