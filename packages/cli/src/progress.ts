import cliProgress from 'cli-progress';

/** A progress bar on stderr for long work; silent when stderr is not a terminal (CI logs, pipes). */
export interface Progress {
  start(total: number, done?: number): void;
  update(done: number, payload?: { skipped?: number }): void;
  stop(): void;
}

export function createProgress(enabled: boolean, stream: NodeJS.WritableStream, label: string): Progress {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} lines | {skipped} skipped | {eta_formatted} left`,
      stream,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, done = 0) => bar.start(total, done, { skipped: 0 }),
    update: (done, payload) => bar.update(done, payload ?? {}),
    stop: () => bar.stop(),
  };
}
