import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PipelineNames } from './pipeline.js';
import { MODEL_ENV, REPO_ROOT, STACK } from './stack.js';

export const CLI_MAIN = join(REPO_ROOT, 'packages/cli/dist/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Env for the `freshet` CLI against the test's own topics, groups and collection. */
export function cliEnv(names: PipelineNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FRESHET_KAFKA_BROKERS: STACK.kafka,
    FRESHET_REGISTRY_URL: STACK.registry,
    FRESHET_MILVUS_ADDRESS: STACK.milvus,
    FRESHET_TOPIC_INPUT: names.input,
    FRESHET_TOPIC_EMBED: names.embed,
    FRESHET_TOPIC_INDEX: names.index,
    FRESHET_TOPIC_DLQ: names.dlq,
    FRESHET_TOPIC_DLQ_REPLAYS: `${names.dlq}-replays`,
    FRESHET_TOPIC_PARTITIONS: '3',
    FRESHET_COLLECTION: names.collection,
    FRESHET_ROUTER_GROUP_ID: names.groups.router,
    FRESHET_EMBEDDER_GROUP_ID: names.groups.embedder,
    FRESHET_WRITER_GROUP_ID: names.groups.writer,
    ...extra,
  };
}

/** Starts `node packages/cli/dist/main.js …` as a real process. */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--enable-source-maps', CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...MODEL_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion (killed after `timeoutMs`) and returns its exit code and output. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120000,
): Promise<CliRun> {
  const started = Date.now();
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** Parses the CLI's `--json` stdout, failing with its stderr when it is not JSON. */
export function jsonOf<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/** Deletes the `<topic>-value` subjects a test registered (soft, then permanent), so the registry stays tidy. */
export async function deleteSubjects(topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const subject = `${STACK.registry}/subjects/${encodeURIComponent(`${topic}-value`)}`;
    await fetch(subject, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}
