import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pollUntil } from '@freshet/testkit';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the services are started from: this checkout, or another built one (BENCH_SERVICES_ROOT), so the
 * same bench measures e.g. an earlier commit's services (`git worktree add /tmp/old <commit>`, install, build).
 */
export const SERVICES_ROOT = process.env.BENCH_SERVICES_ROOT
  ? resolve(process.env.BENCH_SERVICES_ROOT)
  : REPO_ROOT;

export type Stage = 'router' | 'embedder' | 'writer';

/** What this checkout's deploy/local/service prints for `stage` when `printSwitch` is set (its defaults). */
function launcherDefault(stage: Stage, printSwitch: string, env: Record<string, string> = {}): string {
  return execFileSync('bash', [join(REPO_ROOT, 'deploy/local/service'), stage], {
    env: { ...process.env, ...env, [printSwitch]: '1' },
    encoding: 'utf8',
  }).trim();
}

/** The default NODE_OPTIONS of a stage under this checkout's deploy/local/service (what a user's stage runs with). */
export function launcherNodeOptions(stage: Stage): string {
  const out = launcherDefault(stage, 'FRESHET_SERVICE_PRINT_DEFAULTS');
  if (!/^--max-old-space-size=\d+/.test(out))
    throw new Error(`deploy/local/service printed no defaults for ${stage}: ${out}`);
  return out;
}

/**
 * The default node command-line flags of a stage under this checkout's deploy/local/service: V8 flags
 * NODE_OPTIONS refuses (the old generation's growth; the embedder's memory on the local model, so they
 * depend on the stage's `env`), which the image's and the chart's commands carry too.
 */
export function launcherNodeFlags(stage: Stage, env: Record<string, string> = {}): string[] {
  const out = launcherDefault(stage, 'FRESHET_SERVICE_PRINT_FLAGS', env);
  const flags = out === '' ? [] : out.split(/\s+/);
  if (flags.some((f) => !f.startsWith('--')))
    throw new Error(`deploy/local/service printed a default flag that is none for ${stage}: ${out}`);
  return flags;
}

/**
 * The glibc malloc settings deploy/local/service gives every stage (as the image's ENV does): the bench's
 * in-process measurements that stand for a stage (the local model's throughput) run under them too.
 */
export function launcherMalloc(): Record<string, string> {
  // The same for every stage; the script needs one to run.
  const out = launcherDefault('embedder', 'FRESHET_SERVICE_PRINT_MALLOC');
  const pairs = out.split(/\s+/).map((pair) => pair.split('='));
  if (pairs.some((p) => p.length !== 2 || !/^MALLOC_[A-Z_]+$/.test(p[0]!)))
    throw new Error(`deploy/local/service printed no malloc settings: ${out}`);
  return Object.fromEntries(pairs);
}

export interface Memory {
  /** Highest VmRSS seen by the sampler, MB. */
  peakRssMb: number;
  /** VmHWM (the kernel's peak RSS) at the last sample, MB. */
  hwmMb: number;
}

/** A service started as a real process (`node services/<stage>/dist/main.js`), as deployments run it. */
export interface ServiceProcess {
  stage: Stage;
  pid: number;
  url: string;
  logFile: string;
  metrics(): Promise<string>;
  /** Epoch ms of the log line `partitions assigned` (the consumer joined its group), or undefined. */
  assignedAt(): number | undefined;
  memory(): Memory;
  stop(): Promise<void>;
}

/** VmRSS and VmHWM of a process in MB, from /proc (undefined once it has gone). */
export function procMemory(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  logDir: string;
  /** NODE_OPTIONS of the service process (e.g. the heap cap a container's memory limit implies). */
  nodeOptions?: string;
  /** Write a V8 CPU profile (`node --cpu-prof`) into this folder when the process exits. */
  cpuProfDir?: string;
  /** The checkout to start the stage from (default SERVICES_ROOT). */
  root?: string;
}

export async function startService(
  stage: Stage,
  env: Record<string, string>,
  options: StartOptions,
): Promise<ServiceProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const port = await freePort();
  const logFile = join(options.logDir, `${stage}-${Date.now()}-${port}.log`);
  const log = createWriteStream(logFile);
  const nodeFlags = options.cpuProfDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${options.cpuProfDir}`,
        `--cpu-prof-name=${stage}-${Date.now()}.cpuprofile`,
      ]
    : [];
  // Started as every local launcher starts a stage (deploy/local/service: the memory defaults a user gets),
  // with this Node first on PATH; a checkout from before that script runs `node main.js` directly.
  const root = options.root ?? SERVICES_ROOT;
  const launcher = join(root, 'deploy/local/service');
  const ownLauncher = existsSync(launcher);
  // An older checkout without the launcher gets this checkout's launcher defaults (NODE_OPTIONS and the
  // command-line flags), so both are measured with the same heap settings and the comparison is of the code.
  const nodeOptions = [ownLauncher ? '' : launcherNodeOptions(stage), options.nodeOptions ?? '']
    .filter((o) => o !== '')
    .join(' ');
  const [command, args] = ownLauncher
    ? ['bash', [launcher, stage, ...nodeFlags]]
    : [
        process.execPath,
        [
          '--enable-source-maps',
          ...launcherNodeFlags(stage, env),
          ...nodeFlags,
          join(root, `services/${stage}/dist/main.js`),
        ],
      ];
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      // glibc's malloc arenas, as the image sets them (Dockerfile): up to 8 per core otherwise.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      // Other glibc malloc tunables of the bench's environment (memory experiments).
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (e): e is [string, string] => /^MALLOC_[A-Z_]+_$/.test(e[0]) && e[1] !== undefined,
        ),
      ),
      // Node flags for the services only (after the launcher's defaults, so they win), never for the bench.
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      FRESHET_HTTP_PORT: String(port),
      FRESHET_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid ?? 0;
  let peakRssMb = 0;
  let hwmMb = 0;
  const sample = () => {
    const m = procMemory(pid);
    if (!m) return;
    peakRssMb = Math.max(peakRssMb, m.rssMb);
    hwmMb = Math.max(hwmMb, m.hwmMb);
  };
  const sampler = setInterval(sample, 250);
  sampler.unref();
  const logText = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let assigned: number | undefined;
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    stage,
    pid,
    url,
    logFile,
    async metrics() {
      return (await fetch(`${url}/metrics`)).text();
    },
    assignedAt() {
      if (assigned !== undefined) return assigned;
      for (const line of logText().split('\n')) {
        if (!line.includes('"partitions assigned"')) continue;
        try {
          const entry = JSON.parse(line) as { time?: number | string; assignment?: Record<string, number[]> };
          const count = Object.values(entry.assignment ?? {}).flat().length;
          // pino writes epoch ms or an ISO string, depending on the logger's timestamp option.
          const time = typeof entry.time === 'string' ? Date.parse(entry.time) : entry.time;
          if (count > 0 && time !== undefined && Number.isFinite(time)) assigned = time;
        } catch {
          // a partial line still being written
        }
      }
      return assigned;
    },
    memory() {
      sample();
      return { peakRssMb, hwmMb };
    },
    async stop() {
      sample();
      clearInterval(sampler);
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      await exit;
      clearTimeout(timer);
      log.end();
    },
  };
  try {
    await pollUntil(
      async () => {
        if (exited) throw new Error(`${stage} exited early:\n${logText().slice(-3000)}`);
        const res = await fetch(`${url}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      { what: `${stage} /readyz`, timeoutMs: 60000, intervalMs: 100 },
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** The project's fake OpenAI embeddings server, as its own process (testkit's CLI entry). */
export interface FakeApiProcess {
  /** Base URL ending in /v1. */
  url: string;
  pid: number;
  stats(): Promise<{ requests: number; embedded: number; inputs: number; tokens: number }>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFakeApi(latencyMs: number): Promise<FakeApiProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/testkit/dist/fake-openai-main.js')], {
    env: { PATH: process.env.PATH ?? '', FAKE_OPENAI_LATENCY_MS: String(latencyMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`fake OpenAI server exited with ${code}`)));
  });
  const control = `${url.replace(/\/v1$/, '')}/_control`;
  return {
    url,
    pid: child.pid ?? 0,
    async stats() {
      const body = (await (await fetch(control)).json()) as {
        stats: { requests: number; embedded: number; inputs: number; tokens: number };
      };
      return body.stats;
    },
    async reset() {
      await fetch(control, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reset: true }),
      });
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
