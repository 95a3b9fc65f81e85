import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createMilvusClient } from '@freshet/milvus';
import { REPO_ROOT } from '../processes.js';
import type { EvalResults } from './report.js';

const run = promisify(execFile);

// The eval end to end on a slice (two queries per category, ~400 products) with `hash`, against the real
// Milvus: it indexes, searches and reports. Quality is the full run's business (bench/results/eval.md);
// hash is deterministic, so a query whose words are a product's title must rank it first.
test('eval --quick with hash indexes a slice, scores every query and drops its collection', {
  timeout: 5 * 60 * 1000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'freshet-eval-quick-'));
  try {
    await run(
      process.execPath,
      [join(REPO_ROOT, 'bench/dist/eval.js'), '--quick', '--providers', 'hash', '--out', out],
      {
        cwd: REPO_ROOT,
        timeout: 4 * 60 * 1000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const r = JSON.parse(readFileSync(join(out, 'eval-quick.json'), 'utf8')) as EvalResults;
    assert.equal(r.mode, 'quick');
    assert.equal(r.providers.length, 1);
    const p = r.providers[0]!;
    assert.equal(p.provider, 'hash');
    assert.equal(p.catalog, r.catalog);
    assert.equal(p.queries.length, 12);
    for (const c of Object.values(p.byCategory)) assert.equal(c.queries, 2);
    for (const q of p.queries) {
      assert.ok(q.recall5 >= 0 && q.recall5 <= 1 && q.mrr10 >= 0 && q.mrr10 <= 1, JSON.stringify(q));
      assert.ok(q.top3.length === 3, `${q.id} answered ${q.top3.length} hits`);
    }
    const exact = p.queries.find((q) => q.id === 'vi-02');
    assert.equal(
      exact?.mrr10,
      1,
      `"nồi chiên không dầu" is in its products' titles: ${JSON.stringify(exact)}`,
    );
    assert.match(readFileSync(join(out, 'eval-quick.md'), 'utf8'), /\| \*\*all\*\* \(12\) \|/);

    const milvus = createMilvusClient({ address: process.env.FRESHET_MILVUS_ADDRESS ?? '127.0.0.1:19530' });
    try {
      const names = (await milvus.listCollections()).data.map((c) => c.name);
      assert.deepEqual(
        names.filter((n) => n.startsWith('eval_hash_')),
        [],
        'the eval dropped its collection',
      );
    } finally {
      await milvus.closeConnection();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
