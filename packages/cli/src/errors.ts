/** Exit codes scripts can rely on (documented in `freshet --help` and the README). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: a dependency is down, a record was refused, a catalog line is bad. */
  failure: 1,
  /** The command line or the FRESHET_* configuration is wrong: nothing was done. */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const CLI_ERROR_CODES = [
  'FRESHET_CLI_USAGE',
  'FRESHET_CATALOG_INVALID',
  'FRESHET_CHECKPOINT_INVALID',
  'FRESHET_DLQ_NOT_FOUND',
  'FRESHET_READ_TIMEOUT',
  'FRESHET_METRICS_UNAVAILABLE',
  'FRESHET_SEARCH_FAILED',
  // Reported, not thrown: an error from kafkajs, and any other unexpected failure.
  'FRESHET_KAFKA_ERROR',
  'FRESHET_CLI_FAILED',
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** A failure the CLI reports as one line (`freshet: <code>: <message>`) with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A wrong argument or option value found after parsing (commander reports its own with exit 2 too). */
export class UsageError extends CliError {
  constructor(message: string) {
    super('FRESHET_CLI_USAGE', message, EXIT.usage);
  }
}
