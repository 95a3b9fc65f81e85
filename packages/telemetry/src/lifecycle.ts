import type { Logger } from 'pino';

/** Time kept after the consumer's drain for the rest of the shutdown (producer, Milvus, traces, HTTP). */
const AFTER_CONSUMER_MS = 2500;

/**
 * The part of the grace period the consumer may spend finishing its in-flight batches, so that the whole
 * drain (consumer, then producer and clients) fits in FRESHET_SHUTDOWN_GRACE_MS.
 */
export function consumerDrainMs(graceMs: number): number {
  return Math.max(Math.floor(graceMs / 2), graceMs - AFTER_CONSUMER_MS);
}

/**
 * SIGTERM/SIGINT run `drain` once (stop fetching, flush, commit, leave the group); the process exits 0
 * when it finishes and 1 when it overruns `graceMs`, so it is gone within the grace period either way
 * (Kubernetes' terminationGracePeriodSeconds must be longer).
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
    }, options.graceMs);
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
