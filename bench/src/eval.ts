// The search-quality eval (issue 15): indexes the sample catalog with each provider into a Milvus collection
// of its own and reports recall@5 and MRR@10 per query category. Method and numbers: bench/README.md.
//   node bench/dist/eval.js [--providers hash,openai] [--quick] [--out dir]
// Milvus: FRESHET_MILVUS_ADDRESS (default 127.0.0.1:19530). --quick: two queries per category over a
// 300-product slice that holds their relevant products (the CI run; it asserts nothing about quality).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMilvusClient } from '@freshet/milvus';
import { defaultProviders, evalProvider } from './eval/providers.js';
import {
  type CatalogItem,
  EVAL_CATEGORIES,
  type EvalQuery,
  loadQueries,
  loadSampleCatalog,
  relevantIds,
} from './eval/queries.js';
import { type EvalResults, METRIC_NOTES, markdown } from './eval/report.js';
import { evaluateProvider } from './eval/run.js';
import { REPO_ROOT } from './processes.js';

const { values } = parseArgs({
  options: {
    providers: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(REPO_ROOT, 'bench/results') },
  },
});
const say = (m: string) => process.stderr.write(`[eval] ${m}\n`);

/** Two queries per category and a catalog slice holding their relevant products plus distractors. */
function quickSubset(
  catalog: CatalogItem[],
  queries: EvalQuery[],
): { catalog: CatalogItem[]; queries: EvalQuery[] } {
  const picked = EVAL_CATEGORIES.flatMap((c) => queries.filter((q) => q.category === c).slice(0, 2));
  const keep = new Set(catalog.slice(0, 300).map((i) => i.productId));
  for (const q of picked) for (const id of q.relevant.slice(0, 10)) keep.add(id);
  const slice = catalog.filter((i) => keep.has(i.productId));
  return { catalog: slice, queries: picked.map((q) => ({ ...q, relevant: relevantIds(slice, q) })) };
}

const fullCatalog = loadSampleCatalog();
const allQueries = loadQueries();
const { catalog, queries } = values.quick
  ? quickSubset(fullCatalog, allQueries)
  : { catalog: fullCatalog, queries: allQueries };
const names = values.providers ? values.providers.split(',').map((s) => s.trim()) : defaultProviders();
const providers = names.map((n) => evalProvider(n));
const milvus = createMilvusClient({
  address: process.env.FRESHET_MILVUS_ADDRESS ?? '127.0.0.1:19530',
  timeoutMs: 120_000,
});
const results: EvalResults = {
  schema: 1,
  mode: values.quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  machine: { cores: availableParallelism(), node: process.version, loadAverage: [loadavg()[0] ?? 0] },
  queries: queries.length,
  catalog: catalog.length,
  metricNotes: METRIC_NOTES,
  providers: [],
};
try {
  for (const provider of providers) {
    say(`${provider.name}: indexing ${catalog.length} products, then ${queries.length} queries`);
    const r = await evaluateProvider({
      milvus,
      provider,
      catalog,
      queries,
      collection: `eval_${provider.name.replace(/[^A-Za-z0-9]/g, '_')}_${process.pid}`,
      log: say,
    });
    say(
      `${provider.name} (${r.model}): recall@5 ${r.overall.recall5.toFixed(3)}, MRR@10 ${r.overall.mrr10.toFixed(3)}; English recall@5 ${r.english.recall5.toFixed(3)}; ${r.textsPerSecond.toFixed(0)} texts/s`,
    );
    results.providers.push(r);
  }
} finally {
  await milvus.closeConnection().catch(() => {});
}
results.machine.loadAverage.push(loadavg()[0] ?? 0);
mkdirSync(values.out, { recursive: true });
const base = values.quick ? 'eval-quick' : 'eval';
writeFileSync(join(values.out, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(values.out, `${base}.md`), markdown(results));
process.stdout.write(markdown(results));
