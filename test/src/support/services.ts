import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { MODEL_ENV, REPO_ROOT } from './stack.js';

export type Stage = 'router' | 'embedder' | 'writer';

export interface RunningService {
  stage: Stage;
  url: string;
  logFile: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  kill9(): Promise<void>;
  /** SIGTERM and wait; returns the exit code. */
  terminate(timeoutMs?: number): Promise<number | string>;
  metrics(): Promise<string>;
  logTail(lines?: number): string;
}

const LOG_DIR = join(tmpdir(), 'freshet-test-logs');

/** Starts a stage as a real child process (`node services/<stage>/dist/main.js`) and waits for /readyz. */
export async function startService(
  stage: Stage,
  env: Record<string, string>,
  readyTimeoutMs = 60000,
  /** A failpoint may kill it before it reports ready: then resolve with the exited service. */
  mayExitBeforeReady = false,
): Promise<RunningService> {
  const service = await spawnService(stage, env);
  let hasExited = false;
  void service.exited.then(() => {
    hasExited = true;
  });
  let outcome: boolean | string = false;
  try {
    outcome = await waitFor(
      `${stage} /readyz`,
      async () => {
        if (hasExited) return 'exited';
        const res = await fetch(`${service.url}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      readyTimeoutMs,
      200,
    );
    if (outcome === 'exited' && mayExitBeforeReady) return service;
    if (outcome === 'exited') throw new Error(`${stage} exited early`);
  } catch (error) {
    await service.kill9();
    throw new Error(`${String((error as Error).message)}\n--- ${stage} log ---\n${service.logTail()}`);
  }
  return service;
}

/** Starts a stage as a real child process without waiting for it to be ready (for tests of why it is not). */
export async function spawnService(stage: Stage, env: Record<string, string>): Promise<RunningService> {
  mkdirSync(LOG_DIR, { recursive: true });
  const port = await freePort();
  const logFile = join(LOG_DIR, `${stage}-${Date.now()}-${port}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(REPO_ROOT, `services/${stage}/dist/main.js`)],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...MODEL_ENV,
        FRESHET_HTTP_PORT: String(port),
        FRESHET_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    stage,
    url,
    logFile,
    process: child,
    exited,
    async kill9() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
    async terminate(timeoutMs = 60000) {
      if (!hasExited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      return res.text();
    },
    logTail(lines = 40) {
      try {
        return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
  return service;
}

// Shared with the bench and the chaos harness.
export { metricValue } from '@freshet/testkit';
