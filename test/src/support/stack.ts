import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isListening } from './ports.js';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const STACK = {
  kafka: process.env.FRESHET_KAFKA_BROKERS ?? `127.0.0.1:${process.env.FRESHET_KAFKA_PORT ?? '9092'}`,
  registry:
    process.env.FRESHET_REGISTRY_URL ??
    `http://127.0.0.1:${process.env.FRESHET_REGISTRY_PORT ?? '8081'}/apis/ccompat/v7`,
  milvus: process.env.FRESHET_MILVUS_ADDRESS ?? `127.0.0.1:${process.env.FRESHET_MILVUS_PORT ?? '19530'}`,
};

export type StackService = 'kafka' | 'registry' | 'milvus';

function portOf(service: StackService): number {
  const text = service === 'kafka' ? STACK.kafka : service === 'registry' ? STACK.registry : STACK.milvus;
  const match = /:(\d+)(?:\/|$)/.exec(text);
  return Number(match?.[1]);
}

/** Starts the real local stack (deploy/local/up, idempotent) when any of its services is not listening. */
export async function ensureStack(services: StackService[] = ['kafka', 'registry', 'milvus']): Promise<void> {
  const down = [];
  for (const s of services) if (!(await isListening(portOf(s)))) down.push(s);
  if (down.length === 0) return;
  await deployLocal('up', ...down);
}

/** Runs a deploy/local script (up/down/status) and fails with its output when it fails. */
export async function deployLocal(command: 'up' | 'down' | 'status', ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(`${REPO_ROOT}deploy/local/${command}`, args, {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 15 * 60 * 1000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `deploy/local/${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

/** Where the `local` provider's models are (deploy/local/install models), passed on to spawned services and CLIs. */
export const MODEL_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  ['FRESHET_EMBEDDING_MODELS_DIR', 'FRESHET_CACHE', 'XDG_CACHE_HOME', 'HOME'].flatMap((name) => {
    const value = process.env[name];
    return value ? [[name, value]] : [];
  }),
);
