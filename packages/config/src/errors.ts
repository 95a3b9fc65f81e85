/** A wrong or missing FRESHET_* variable: the process stops at start with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'FRESHET_CONFIG_INVALID';
  constructor(
    readonly problems: ReadonlyArray<{ variable: string; problem: string }>,
    options?: { cause?: unknown },
  ) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')}`,
      options,
    );
  }
}
