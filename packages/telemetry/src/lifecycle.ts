import type { Logger } from 'pino';

/**
 * SIGTERM/SIGINT run `drain` once (stop fetching, flush, commit, leave the group); the process exits 0
 * when it finishes and 1 when it overruns `graceMs` (Kubernetes would SIGKILL it soon after anyway).
 */
export function exitOnSignals(
  drain: () => Promise<void>,
  options: { graceMs: number; logger: Logger },
): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    options.logger.info({ signal, graceMs: options.graceMs }, 'draining');
    const hardStop = setTimeout(() => {
      options.logger.error({ graceMs: options.graceMs }, 'drain overran the grace period; exiting');
      process.exit(1);
    }, options.graceMs + 2000);
    hardStop.unref();
    drain().then(
      () => {
        options.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Logs a start-up failure (config, unreachable dependency) in one line and exits non-zero. */
export function exitOnStartupError(error: unknown, logger?: Logger): never {
  const message = error instanceof Error ? error.message : String(error);
  if (logger) logger.fatal({ err: error }, 'start-up failed');
  else process.stderr.write(`${message}\n`);
  process.exit(2);
}
