import { type Command, Option } from '@commander-js/extra-typings';
import { routerSchema } from '@freshet/config';
import { integer } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import type { CliCommand } from '../program.js';

export const reindex: CliCommand = {
  name: 'reindex',
  register(program: Command, run) {
    program
      .command('reindex')
      .description(
        'blue/green re-embed into <alias>_v<N+1> (new model, dimension or template) while live events keep ' +
          'flowing, verify, swap the alias, then hand the pipeline over once router, embedder and writer are stopped',
      )
      .option('--model <id>', 'embedding model of the new collection')
      .addOption(
        new Option('--dimensions <n>', 'vector dimension of the new model').argParser(integer(2, 16384)),
      )
      .addOption(
        new Option('--template <version>', 'embedding-text template version').argParser(integer(1, 1000)),
      )
      .addOption(
        new Option('--provider <kind>', 'embedding provider of the new model').choices([
          'local',
          'hash',
          'openai',
        ] as const),
      )
      .addOption(
        new Option('--caught-up-lag <n>', 'builder lag at which verification starts')
          .argParser(integer(0))
          .default(50),
      )
      .option(
        '--drop-old',
        'drop every <alias>_v<N> the alias does not point at (alone, or after a handover)',
      )
      .action(
        run(async (ctx, opts) => {
          const { dropOldCollections, reindex: runReindex } = await import('@freshet/reindex');
          const alias = ctx.config.milvus.collection;
          const milvus = ctx.milvus();
          if (opts.model === undefined && opts.dimensions === undefined && opts.template === undefined) {
            if (!opts.dropOld) throw new UsageError('give --model/--dimensions/--template, or --drop-old');
            const dropped = await dropOldCollections(milvus, alias);
            ctx.out.result({ alias, dropped }, () =>
              dropped.length === 0 ? `nothing to drop for ${alias}` : `dropped ${dropped.join(', ')}`,
            );
            return EXIT.ok;
          }
          const m = ctx.config.embedding;
          // Another provider than the running one: its own default model and dimension unless given.
          const sameProvider = opts.provider === undefined || opts.provider === m.provider;
          const stop = new AbortController();
          const onSigint = () => stop.abort(new Error('interrupted'));
          process.once('SIGINT', onSigint);
          ctx.onClose(async () => {
            process.off('SIGINT', onSigint);
          });
          const result = await runReindex({
            kafka: ctx.kafka(),
            milvus,
            codec: ctx.codec(),
            alias,
            topics: {
              input: ctx.config.topics.input,
              embed: ctx.config.topics.embed,
              index: ctx.config.topics.index,
            },
            groups: ctx.config.groups,
            embedding: {
              provider: opts.provider ?? m.provider,
              model: opts.model ?? (sameProvider ? m.model : undefined),
              dimension: opts.dimensions ?? (sameProvider ? m.dimension : undefined),
              local: m.local,
              openai: {
                ...(m.baseUrl ? { baseURL: m.baseUrl } : {}),
                ...(m.apiKey ? { apiKey: m.apiKey } : {}),
              },
            },
            templateVersion: opts.template ?? m.templateVersion,
            // The router's FRESHET_TEXT_ATTRIBUTES (same default), so the rebuilt texts match what it builds.
            attributes: routerSchema.shape.FRESHET_TEXT_ATTRIBUTES.parse(process.env.FRESHET_TEXT_ATTRIBUTES),
            logger: ctx.logger,
            caughtUpLag: opts.caughtUpLag,
            signal: stop.signal,
            onPhase(phase, detail) {
              if (phase === 'awaiting-handover')
                ctx.out.note(
                  `alias ${alias} swapped; now stop the router, embedder and writer (scale to 0): the new collection is kept current until they are down`,
                );
              else if (phase === 'handed-over')
                ctx.out.note(
                  `handed over: start router, embedder and writer with ${opts.provider ? `FRESHET_EMBEDDING_PROVIDER=${opts.provider} ` : ''}FRESHET_EMBEDDING_MODEL=${opts.model ?? m.model} FRESHET_EMBEDDING_DIMENSIONS=${opts.dimensions ?? m.dimension}${opts.template ? ` FRESHET_TEMPLATE_VERSION=${opts.template}` : ''}`,
                );
              else if (phase === 'rolled-back')
                ctx.out.note(
                  `rolled back: ${alias} is on ${String(detail.physical)} again, ${String(detail.dropped)} dropped`,
                );
              else ctx.out.note(`reindex: ${phase}${detail.to ? ` ${String(detail.to)}` : ''}`);
            },
          });
          const dropped = opts.dropOld ? await dropOldCollections(milvus, alias) : [];
          ctx.out.result({ ...result, dropped }, () =>
            [
              `${alias}: ${result.from} → ${result.to} (${result.model.model}, ${result.model.dimension} dimensions)`,
              `verified ${result.counts.newCount} products (old ${result.counts.oldCount}), ${result.sample.sampled} sampled vectors`,
              `embedded ${result.builder.embedded} texts, reused ${result.builder.reused}`,
              dropped.length > 0
                ? `dropped ${dropped.join(', ')}`
                : `${result.from} kept (freshet reindex --drop-old)`,
            ].join('\n'),
          );
          return EXIT.ok;
        }),
      );
  },
};
