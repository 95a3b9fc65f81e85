import { type Command, Option } from '@commander-js/extra-typings';
import type { SearchFilters } from '@freshet/milvus';
import { integer, nonNegativeNumber } from '../args.js';
import { queryEmbeddingConfig } from '../embedding.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { formatPrice, table } from '../output.js';
import type { CliCommand } from '../program.js';

export const search: CliCommand = {
  name: 'search',
  register(program: Command, run) {
    program
      .command('search')
      .description(
        'embed the text with the configured model and print the top hits from the collection alias',
      )
      .argument('<text>', 'what to look for')
      .addOption(new Option('-k, --k <n>', 'number of hits').argParser(integer(1, 16384)).default(10))
      .addOption(
        new Option(
          '--max-price <amount>',
          'price at most this, in major units of a 2-decimal currency (300 = 300.00)',
        )
          .argParser(nonNegativeNumber)
          .conflicts('maxPriceMinor'),
      )
      .addOption(
        new Option('--max-price-minor <n>', 'price at most this many minor units').argParser(integer(0)),
      )
      .addOption(
        new Option(
          '--min-price <amount>',
          'price at least this, in major units of a 2-decimal currency',
        ).argParser(nonNegativeNumber),
      )
      .option('--in-stock', 'only products with stock > 0')
      .option('--category <category>', 'exact category, e.g. "Electronics > Audio"')
      .option('--brand <brand>', 'exact brand')
      .action(
        run(async (ctx, text, opts) => {
          if (text.trim() === '') throw new UsageError('search text must not be empty');
          const filters: SearchFilters = {
            ...(opts.maxPrice !== undefined ? { maxPriceMinor: Math.round(opts.maxPrice * 100) } : {}),
            ...(opts.maxPriceMinor !== undefined ? { maxPriceMinor: opts.maxPriceMinor } : {}),
            ...(opts.minPrice !== undefined ? { minPriceMinor: Math.round(opts.minPrice * 100) } : {}),
            ...(opts.inStock ? { inStock: true } : {}),
            ...(opts.category !== undefined ? { category: opts.category } : {}),
            ...(opts.brand !== undefined ? { brand: opts.brand } : {}),
          };
          const [{ createEmbeddingClient }, { checkModel, describeAlias, searchProducts }, { Registry }] =
            await Promise.all([
              import('@freshet/embedding'),
              import('@freshet/milvus'),
              import('@freshet/telemetry'),
            ]);
          const alias = ctx.config.milvus.collection;
          const milvus = ctx.milvus();
          const embeddings = createEmbeddingClient(queryEmbeddingConfig(ctx.config.embedding), {
            registry: new Registry(),
            logger: ctx.logger,
          });
          ctx.onClose(() => embeddings.close({ graceMs: 1000 }));
          const [collection, vector] = await Promise.all([
            describeAlias(milvus, alias),
            embeddings.embed(text),
          ]);
          if (!collection) {
            throw new CliError(
              'FRESHET_SEARCH_FAILED',
              `collection alias ${alias} does not exist in Milvus (has the writer started?)`,
            );
          }
          // One collection, one model (issue 14): a query vector of another model scores garbage. The query
          // has no template, so only the model id and dimension are compared; a collection of the older
          // layout (no recorded model) is judged by its dimension, as the search cannot read every row.
          checkModel(
            {
              alias,
              physical: collection.physical,
              model: collection.model ?? { model: embeddings.model, dimension: collection.dimension },
            },
            { model: embeddings.model, dimension: embeddings.dimension },
            'this search',
          );
          const hits = await searchProducts(milvus, alias, vector, { ...filters, k: opts.k });
          ctx.out.result({ query: text, collection: alias, model: embeddings.model, filters, hits }, () =>
            hits.length === 0
              ? `no hits for "${text}" in ${alias}`
              : table([
                  ['score', 'id', 'title', 'price', 'stock'],
                  ...hits.map((h) => [
                    h.score.toFixed(3),
                    h.productId,
                    h.title,
                    formatPrice(h.priceMinor, h.currency),
                    h.stock === null ? '—' : String(h.stock),
                  ]),
                ]),
          );
          // No hits is an answer, not a failure: `helm test` runs this against a fresh, empty index. A missing
          // alias or a model mismatch above (FRESHET_MODEL_MISMATCH) is a failure (exit 1).
          return EXIT.ok;
        }),
      );
  },
};
