import { type Command, Option } from '@commander-js/extra-typings';
import type { SchemaName } from '@freshet/schemas';
import { integer, readableFile } from '../args.js';
import { countLines } from '../catalog.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import type { CliCommand } from '../program.js';
import { createProgress } from '../progress.js';
import { type PublishResult, publishCatalog } from '../publish.js';

/** Options `produce` and `backfill` share. */
export function catalogOptions(command: Command<[string]>) {
  return command
    .addOption(
      new Option(
        '--on-error <mode>',
        'a bad line: fail stops there (after sending the lines before it), skip reports it and goes on',
      )
        .choices(['fail', 'skip'] as const)
        .default('fail' as const),
    )
    .addOption(
      new Option('--batch-size <n>', 'events per acknowledged send')
        .argParser(integer(1, 100000))
        .default(500),
    )
    .addOption(
      new Option('--schema <version>', 'ProductEvent schema to write with')
        .choices(['v1', 'v2'] as const)
        .default('v1' as const),
    )
    .addOption(
      new Option('--event-version <n>', "version of lines that carry none (the source's monotonic version)")
        .argParser(integer(0))
        .default(1),
    )
    .addOption(new Option('--dry-run', 'check and encode every line locally, send nothing'));
}

export const schemaOf = (v: 'v1' | 'v2'): SchemaName => (v === 'v1' ? 'ProductEvent.v1' : 'ProductEvent.v2');

export function summary(
  file: string,
  r: PublishResult,
  dryRun: boolean,
  extra: Record<string, unknown> = {},
) {
  return {
    value: {
      file,
      dryRun,
      produced: r.produced,
      skipped: r.skipped,
      lastLine: r.lastLine,
      errors: r.errors,
      ...extra,
    },
    text: () =>
      [
        `${dryRun ? 'checked' : 'produced'} ${r.produced} CREATE events from ${file}` +
          (r.skipped > 0 ? `, skipped ${r.skipped} bad lines` : ''),
        ...r.errors.slice(0, 50).map((e) => `  line ${e.line}: ${e.error}`),
        ...(r.errors.length > 50 ? [`  … and ${r.errors.length - 50} more (--json lists all)`] : []),
      ].join('\n'),
  };
}

export function reportLineErrors(ctx: CliContext, r: PublishResult): void {
  // Bad lines also go to stderr so `--json > out.json` still shows them to the person running it.
  if (ctx.out.json) for (const e of r.errors.slice(0, 20)) ctx.out.note(`line ${e.line}: ${e.error}`);
}

export const produce: CliCommand = {
  name: 'produce',
  register(program: Command, run) {
    catalogOptions(
      program
        .command('produce')
        .description(
          'produce a catalog file (JSONL: {"productId", "product"} per line) as Avro CREATE events on the input topic',
        )
        .argument('<catalog.jsonl>', 'catalog file, one product per line'),
    ).action(
      run(async (ctx, file, opts) => {
        await readableFile(file);
        const dryRun = opts.dryRun === true;
        const progress = createProgress(ctx.interactive, process.stderr, 'produce');
        progress.start(await countLines(file));
        let result: PublishResult;
        try {
          result = await publishCatalog({
            file,
            topic: ctx.config.topics.input,
            ...(dryRun ? {} : { producer: await ctx.producer() }),
            codec: ctx.codec(),
            schema: schemaOf(opts.schema),
            onError: opts.onError,
            batchSize: opts.batchSize,
            defaults: { version: opts.eventVersion, occurredAt: Date.now() },
            dryRun,
            progress,
          });
        } finally {
          progress.stop();
        }
        const s = summary(file, result, dryRun, { topic: ctx.config.topics.input });
        reportLineErrors(ctx, result);
        ctx.out.result(s.value, s.text);
        return EXIT.ok;
      }),
    );
  },
};
