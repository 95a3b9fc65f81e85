import { Command, CommanderError } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { createOutput, type Streams } from './output.js';

/** Wraps a command's action: builds the context, maps errors to exit codes, closes what was opened. */
export type Run = <Args extends unknown[]>(
  action: (ctx: CliContext, ...args: Args) => Promise<ExitCode | undefined>,
) => (...args: Args) => Promise<void>;

/** One `freshet` command (a file under commands/); `register` adds it and its options to the program. */
export interface CliCommand {
  readonly name: string;
  register(program: Command, run: Run): void;
}

export interface ProgramIo extends Streams {
  env: NodeJS.ProcessEnv;
}

const EXIT_HELP = `
Exit codes:
  0  success
  1  failure: a dependency is down or refused the work, a catalog line is bad (--on-error fail)
  2  usage error: unknown command or option, bad argument, or a wrong FRESHET_* variable

Configuration comes from the same FRESHET_* variables as the services (packages/config/src/schema.ts).`;

/** The `freshet` program with `commands`; `exitCode()` is set once parseAsync settles. */
export function buildProgram(commands: readonly CliCommand[], io: ProgramIo) {
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command('freshet')
    .description(
      'Operate freshet: provision topics and schemas, produce and backfill catalogs, search, status, DLQ',
    )
    .option('--json', 'print results as one JSON document on stdout (also FRESHET_CLI_OUTPUT=json)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const run: Run =
    (action) =>
    async (...args) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as { json?: boolean };
      const json = globals.json === true || io.env.FRESHET_CLI_OUTPUT === 'json';
      const out = createOutput(json, io);
      // Loaded on first action: `--help` and usage errors never pay for the Kafka, Milvus and OTel modules.
      const { createContext } = await import('./context.js');
      const ctx = createContext({
        env: io.env,
        out,
        interactive: io.stderr.isTTY === true,
        stderr: io.stderr,
      });
      try {
        exitCode = (await action(ctx, ...args)) ?? EXIT.ok;
      } catch (error) {
        exitCode = report(error, json, io);
      } finally {
        await ctx.close();
      }
    };

  // exitOverride, output and the error hint set above are inherited by every subcommand added now.
  for (const c of commands) c.register(program, run);

  return {
    program,
    async parse(argv: readonly string[]): Promise<ExitCode> {
      try {
        await program.parseAsync(argv as string[], { from: 'user' });
      } catch (error) {
        if (error instanceof CommanderError) {
          // Help and version are successes; every other commander error is a usage error.
          return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
        }
        return report(error, false, io);
      }
      return exitCode;
    },
  };
}

function report(error: unknown, json: boolean, io: Streams): ExitCode {
  const name = error instanceof Error ? error.name : '';
  // kafkajs errors carry no FRESHET_* code: name them by their source so scripts can tell them apart.
  const own = (error as { code?: unknown } | null)?.code;
  const code =
    typeof own === 'string' ? own : name.startsWith('KafkaJS') ? 'FRESHET_KAFKA_ERROR' : 'FRESHET_CLI_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  // A wrong FRESHET_* variable (ConfigError from @freshet/config) is a usage error, as in the services.
  const exit: ExitCode =
    error instanceof CliError
      ? error.exitCode
      : code === 'FRESHET_CONFIG_INVALID'
        ? EXIT.usage
        : EXIT.failure;
  io.stderr.write(`freshet: ${String(code)}: ${message}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: { code: String(code), message } })}\n`);
  return exit;
}
