import { resolve } from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import { positiveNumber, readableFile } from '../args.js';
import { countLines } from '../catalog.js';
import {
  type Checkpoint,
  defaultCheckpointPath,
  fingerprint,
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
} from '../checkpoint.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { Pacer } from '../pacer.js';
import type { CliCommand } from '../program.js';
import { createProgress } from '../progress.js';
import { publishCatalog } from '../publish.js';
import { catalogOptions, reportLineErrors, schemaOf, summary } from './produce.js';

export const backfill: CliCommand = {
  name: 'backfill',
  register(program: Command, run) {
    catalogOptions(
      program
        .command('backfill')
        .description(
          'migrate a whole catalog: like produce, rate-limited, with a checkpoint so a killed run resumes without gaps',
        )
        .argument('<catalog.jsonl>', 'catalog file, one product per line'),
    )
      .addOption(
        new Option('--rate <events/s>', 'send at most this many events per second').argParser(positiveNumber),
      )
      .option('--checkpoint <file>', 'checkpoint file (default: <catalog>.freshet-checkpoint.json)')
      .option('--resume', 'continue after the last acknowledged line of the checkpoint')
      .option('--restart', 'discard an existing checkpoint and start from line 1')
      .action(
        run(async (ctx, file, opts) => {
          await readableFile(file);
          if (opts.resume && opts.restart) throw new UsageError('--resume and --restart exclude each other');
          const dryRun = opts.dryRun === true;
          const checkpointPath = opts.checkpoint ?? defaultCheckpointPath(file);
          const identity = await fingerprint(file);
          const topic = ctx.config.topics.input;
          const existing = await readCheckpoint(checkpointPath);
          if (existing && opts.restart) await removeCheckpoint(checkpointPath);
          let fromLine = 1;
          let base = { produced: 0, skipped: 0 };
          if (existing && !opts.restart) {
            if (!opts.resume) {
              throw new CliError(
                'FRESHET_CHECKPOINT_INVALID',
                `${checkpointPath} exists (line ${existing.lastLine}${existing.done ? ', done' : ''}): pass --resume to continue or --restart to start over`,
                EXIT.usage,
              );
            }
            if (existing.fingerprint !== identity || existing.topic !== topic) {
              throw new CliError(
                'FRESHET_CHECKPOINT_INVALID',
                `${checkpointPath} belongs to another file or topic (${existing.file} → ${existing.topic}); --restart to start over`,
              );
            }
            fromLine = existing.lastLine + 1;
            base = { produced: existing.produced, skipped: existing.skipped };
          }

          const rate = opts.rate;
          // Sends of at most ~200 ms of traffic keep the rate smooth and the checkpoint fine-grained.
          const batchSize =
            rate === undefined ? opts.batchSize : Math.max(1, Math.min(opts.batchSize, Math.ceil(rate / 5)));
          const total = await countLines(file);
          const progress = createProgress(ctx.interactive, process.stderr, 'backfill');
          progress.start(total, fromLine - 1);
          const checkpoint = (
            lastLine: number,
            produced: number,
            skipped: number,
            done: boolean,
          ): Checkpoint => ({
            format: 1,
            file: resolve(file),
            fingerprint: identity,
            topic,
            lastLine,
            produced: base.produced + produced,
            skipped: base.skipped + skipped,
            done,
            updatedAt: new Date().toISOString(),
          });
          let result: Awaited<ReturnType<typeof publishCatalog>>;
          try {
            result = await publishCatalog({
              file,
              topic,
              ...(dryRun ? {} : { producer: await ctx.producer() }),
              codec: ctx.codec(),
              schema: schemaOf(opts.schema),
              onError: opts.onError,
              batchSize,
              defaults: { version: opts.eventVersion, occurredAt: Date.now() },
              fromLine,
              ...(rate !== undefined ? { pacer: new Pacer(rate) } : {}),
              dryRun,
              progress,
              ...(dryRun
                ? {}
                : {
                    onAcked: (p) =>
                      writeCheckpoint(checkpointPath, checkpoint(p.lastLine, p.produced, p.skipped, false)),
                  }),
            });
          } finally {
            progress.stop();
          }
          if (!dryRun) {
            await writeCheckpoint(
              checkpointPath,
              checkpoint(Math.max(result.lastLine, fromLine - 1), result.produced, result.skipped, true),
            );
          }
          const s = summary(file, result, dryRun, {
            topic,
            resumedFromLine: fromLine,
            checkpoint: checkpointPath,
            totalProduced: base.produced + result.produced,
          });
          reportLineErrors(ctx, result);
          ctx.out.result(
            s.value,
            () =>
              `${s.text()}${fromLine > 1 ? `\nresumed at line ${fromLine}` : ''}${dryRun ? '' : `\ncheckpoint: ${checkpointPath}`}`,
          );
          return EXIT.ok;
        }),
      );
  },
};
