#!/usr/bin/env node
// Writes a catalog JSONL file: `node dist/sample-catalog-main.js [path] [count] [seed]`.
// With no arguments it regenerates the committed data/sample-catalog.jsonl (3,000 products, seed 42).
import { generateCatalog, writeCatalogJsonl } from './catalog.js';
import { SAMPLE_CATALOG } from './sample-catalog.js';

const [pathArg, countArg, seedArg] = process.argv.slice(2);
const path = pathArg ?? SAMPLE_CATALOG.path;
const count = countArg === undefined ? SAMPLE_CATALOG.count : Number(countArg);
const seed = seedArg === undefined ? SAMPLE_CATALOG.seed : Number(seedArg);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed)) {
  process.stderr.write('usage: sample-catalog-main.js [path] [count ≥ 0] [integer seed]\n');
  process.exit(2);
}
const written = await writeCatalogJsonl(path, generateCatalog({ count, seed }));
process.stdout.write(`wrote ${written} products to ${path}\n`);
