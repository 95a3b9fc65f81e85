import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVAL_CATEGORIES, loadQueries, loadSampleCatalog, relevantIds, titleHas } from './queries.js';
import { contentWords } from './words.js';

const catalog = loadSampleCatalog();
const queries = loadQueries();
const titleOf = new Map(catalog.map((item) => [item.productId, item.product.title]));

test('the query set has at least 60 queries, every category at least 8', () => {
  assert.ok(queries.length >= 60, `${queries.length} queries`);
  for (const category of EVAL_CATEGORIES) {
    const n = queries.filter((q) => q.category === category).length;
    assert.ok(n >= 8, `${category}: ${n} queries`);
  }
});

test('every label is what its rule selects in the sample catalog (no hand-picked or stale id)', () => {
  for (const q of queries) assert.deepEqual(q.relevant, relevantIds(catalog, q), `${q.id} ${q.query}`);
});

test('a paraphrase query shares no content word with the title of any of its relevant products', () => {
  const paraphrases = queries.filter((q) => q.category === 'paraphrase');
  assert.ok(paraphrases.length >= 8);
  const overlaps: string[] = [];
  for (const q of paraphrases) {
    const words = contentWords(q.query);
    assert.ok(words.size >= 3, `${q.id}: too few content words`);
    for (const id of q.relevant) {
      const shared = [...contentWords(titleOf.get(id) ?? '')].filter((w) => words.has(w));
      if (shared.length > 0)
        overlaps.push(`${q.id} "${q.query}" shares ${shared} with ${id} "${titleOf.get(id)}"`);
    }
  }
  assert.deepEqual(overlaps, []);
});

test('content words drop stopwords and plurals; phrases match whole Latin words only', () => {
  assert.deepEqual([...contentWords('Protect my Heads, for the rides!')], ['protect', 'head', 'ride']);
  assert.ok(!titleHas('Stainless Steel Stockpot', 'tee'));
  assert.ok(titleHas('Northloom Go 5 Relaxed Fit Crew-neck Tee, Red', 'tee'));
  assert.ok(titleHas('Koda Core 5S 有线监听耳机', '耳机'));
  assert.ok(titleHas('素衣 Core 80 纯棉T恤', 't恤'));
});
