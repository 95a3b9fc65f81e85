// eval.json and eval.md: the numbers per provider and category, and what they mean for choosing one.
import type { Summary } from './metrics.js';
import { EVAL_CATEGORIES } from './queries.js';
import type { ProviderResult } from './run.js';

export interface EvalResults {
  schema: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  /** loadAverage: the 1-minute load when the run started and ended (texts/s depends on what else ran). */
  machine: { cores: number; node: string; loadAverage: number[] };
  queries: number;
  catalog: number;
  metricNotes: string;
  providers: ProviderResult[];
}

export const METRIC_NOTES =
  'recall@5 = relevant products in the top 5 / min(5, relevant products) (capped recall: a query with 30 relevant products can score 1), averaged over queries; MRR@10 = mean of 1/rank of the first relevant product within the top 10 (0 when none).';

const f = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(2));
const cell = (s: Summary) => `${f(s.recall5)} / ${f(s.mrr10)}`;

export function markdown(r: EvalResults): string {
  const head = ['category (queries)', ...r.providers.map((p) => `${p.provider} (${p.model})`)];
  const rows = [
    ...EVAL_CATEGORIES.map((c) => [
      `${c} (${r.providers[0]?.byCategory[c].queries ?? 0})`,
      ...r.providers.map((p) => cell(p.byCategory[c])),
    ]),
    [
      `**English** (${r.providers[0]?.english.queries ?? 0})`,
      ...r.providers.map((p) => `**${cell(p.english)}**`),
    ],
    [`**all** (${r.queries})`, ...r.providers.map((p) => `**${cell(p.overall)}**`)],
    [
      'catalog texts embedded / s (this run, this load)',
      ...r.providers.map((p) => p.textsPerSecond.toFixed(0)),
    ],
  ];
  const table = [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  return [
    `# Search quality (${r.mode}, ${r.startedAt}, ${r.machine.cores} cores, Node ${r.machine.node}, load average ${r.machine.loadAverage.map((l) => l.toFixed(1)).join(' → ')})`,
    '',
    `${r.queries} labelled queries (bench/eval/queries.jsonl) over the ${r.catalog}-product sample catalog. Each cell: recall@5 / MRR@10.`,
    '',
    table,
    '',
    r.metricNotes,
    '',
  ].join('\n');
}
