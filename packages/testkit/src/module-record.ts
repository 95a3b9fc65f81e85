import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `body` (an ES module's code) in a fresh Node process where the array `resolved` holds the URL of
 * every module resolved so far, imported or required: for tests that something is, or is not, loaded.
 * Returns what the body printed (one JSON value); a failed process throws with its stderr.
 */
export function runRecordingModules<T = unknown>(body: string, options: { timeoutMs?: number } = {}): T {
  const script = `import { registerHooks } from 'node:module';
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
${body}`;
  const dir = mkdtempSync(join(tmpdir(), 'freshet-modules-'));
  try {
    const file = join(dir, 'main.mjs');
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 100_000,
    });
    if (child.status !== 0) {
      throw new Error(`recording process ended with ${child.status ?? child.signal}: ${child.stderr}`);
    }
    return JSON.parse(child.stdout.trim()) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
