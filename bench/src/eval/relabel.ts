// Fills each query's `relevant` ids from its match rule and the sample catalog:
// node bench/dist/eval/relabel.js (after editing a rule in bench/eval/queries.jsonl; review the diff).
import { readFileSync, writeFileSync } from 'node:fs';
import { type EvalQuery, loadSampleCatalog, QUERIES_PATH, relevantIds } from './queries.js';

const catalog = loadSampleCatalog();
const lines = readFileSync(QUERIES_PATH, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const q = JSON.parse(l) as EvalQuery;
    const relevant = relevantIds(catalog, q);
    if (relevant.length === 0) throw new Error(`${q.id}: no product matches ${JSON.stringify(q.match)}`);
    process.stdout.write(`${q.id}\t${relevant.length}\t${q.query}\n`);
    return JSON.stringify({ ...q, relevant });
  });
writeFileSync(QUERIES_PATH, `${lines.join('\n')}\n`);
