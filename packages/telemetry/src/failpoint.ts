import type { Logger } from './logger.js';

/**
 * Crash points for tests (in the spirit of etcd's gofail): `FRESHET_FAILPOINTS=writer.after-milvus-ack@2`
 * makes the process SIGKILL itself the 2nd time it reaches that point, so a test can prove that a crash at
 * exactly that moment (say, after Milvus acknowledged a batch and before its offsets were committed) loses
 * nothing. No failpoint is armed unless the variable names it; reaching an unarmed one costs a map lookup.
 */
export interface Failpoints {
  /** Called at the named point; kills the process when that point is armed and its count is reached. */
  reach(name: string): void;
}

export function createFailpoints(specs: readonly string[], logger?: Logger): Failpoints {
  const remaining = new Map<string, number>();
  for (const spec of specs) {
    const [name, nth] = spec.split('@');
    if (name) remaining.set(name, nth ? Number(nth) : 1);
  }
  return {
    reach(name) {
      const left = remaining.get(name);
      if (left === undefined) return;
      if (left > 1) {
        remaining.set(name, left - 1);
        return;
      }
      logger?.warn({ failpoint: name }, 'failpoint reached: killing the process (SIGKILL)');
      process.kill(process.pid, 'SIGKILL');
    },
  };
}
