import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createMilvusClient } from '@freshet/milvus';
import { Kafka, logLevel } from 'kafkajs';
import { STACK } from './kafka.js';
import { REPO_ROOT } from './processes.js';
import type { BenchResults, Throughput } from './results.js';

const run = promisify(execFile);

// Runs the real bench in --quick mode (real stack, real services, fake API) and checks that the results
// are complete and sane. It asserts nothing about speed: CI machines differ.
test('bench --quick writes complete, sane results and leaves nothing behind', {
  timeout: 8 * 60 * 1000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'freshet-bench-quick-'));
  try {
    await run(process.execPath, [join(REPO_ROOT, 'bench/dist/main.js'), '--quick', '--out', out], {
      cwd: REPO_ROOT,
      timeout: 7 * 60 * 1000,
      maxBuffer: 32 * 1024 * 1024,
    });
    const r = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as BenchResults;
    assert.equal(r.schema, 1);
    assert.equal(r.mode, 'quick');
    assert.ok(r.machine.cores >= 1 && r.machine.memoryGb > 0 && r.machine.node.startsWith('v'));
    assert.ok(r.machine.load.samples >= 2 && r.machine.load.max >= r.machine.load.min);

    const t = r.throughput;
    const runs: Array<[string, Throughput]> = Object.entries(t).filter(
      (e): e is [string, Throughput] => typeof e[1] === 'object',
    );
    assert.equal(runs.length, 6);
    for (const [name, x] of runs) {
      assert.ok(x.events > 0 && x.seconds > 0, `${name}: ${JSON.stringify(x)}`);
      assert.ok(Math.abs(x.eventsPerSecond - x.events / x.seconds) < 1e-6 * x.eventsPerSecond, name);
    }
    assert.ok(t.producer > 0);
    assert.equal(t.router.events, r.config.stageEvents);
    assert.equal(t.embedderMixed.events, r.config.stageEvents);
    assert.equal(t.writer.events, r.config.stageEvents);
    assert.equal(t.pipeline.events, r.config.pipelineEvents);
    assert.ok(t.embedderPassthrough.events < r.config.stageEvents);
    // The mix is the DESIGN §8 one (within sampling noise of 3,000 events).
    const textShare = (r.config.mix.UPDATE ?? 0) + (r.config.mix.CREATE ?? 0);
    assert.ok(textShare > 0.2 && textShare < 0.34, `text share ${textShare}`);

    assert.equal(r.milvus.points.length, 3);
    for (const p of [...r.milvus.points, r.milvus.partial]) assert.ok(p.rows > 0 && p.rowsPerSecond > 0);
    const lo = Math.min(r.milvus.bestUpsert.rowsPerSecond, r.milvus.partial.rowsPerSecond);
    const hi = Math.max(r.milvus.bestUpsert.rowsPerSecond, r.milvus.partial.rowsPerSecond);
    assert.ok(r.milvus.mixCeiling >= lo && r.milvus.mixCeiling <= hi);

    const f = r.freshness;
    assert.ok(f.samples > 0 && f.samples === f.series.length);
    assert.equal(f.missed, 0, 'every sampled event became searchable');
    assert.ok(f.p50Ms > 0 && f.p50Ms <= f.p99Ms && f.p99Ms <= f.maxMs);
    assert.ok(f.achievedRate > 0.8 * f.offeredRate);
    assert.ok(f.writerHistogram.count >= f.samples);
    const ps = f.priceStockOnly;
    assert.ok(ps.samples > 0 && ps.p50Ms > 0 && ps.p50Ms <= ps.p99Ms);
    assert.equal(ps.missed, 0, 'every sampled price/stock change became searchable');

    const k = r.tokens;
    // Price/stock/unchanged text is never embedded, so spent < naive; with latest-state embedding a text
    // superseded by a newer one of its product is not embedded either, so spent may be below the limit of
    // every never-seen text (the backlog's oracle check below proves the vectors are of the latest texts).
    assert.ok(k.limit > 0 && k.freshTexts > 0);
    assert.ok(
      k.pipeline > 0 && k.pipeline < k.naiveProjected,
      `spent ${k.pipeline}, naive ${k.naiveProjected}`,
    );
    assert.ok(k.stageSegment.spent > 0 && k.stageSegment.limit > 0);
    assert.ok(k.naiveMeasured.events > 0 && k.naiveMeasured.tokens > 0);
    assert.equal(k.naiveMeasured.events, t.naive.events);

    for (const stage of ['router', 'embedder', 'writer'] as const) {
      const m = r.memory[stage];
      assert.ok(
        m.hwmMb > 20 && m.peakRssMb > 20 && m.stageAlonePeakRssMb > 20,
        `${stage}: ${JSON.stringify(m)}`,
      );
    }
    // Issue 13's backlog: the pipeline and the seed-style baseline drained the same events, both into
    // collections equal to the oracle, with tokens and every process's CPU time counted.
    const runs20 = r.backlog?.runs ?? [];
    assert.equal(runs20.length, 1);
    for (const system of ['freshet', 'seedStyle'] as const) {
      const x = runs20[0]?.[system];
      assert.ok(x, `backlog ${system} ran`);
      assert.equal(x.events, runs20[0]?.events);
      assert.deepEqual([x.oracle.lost, x.oracle.stale, x.oracle.ghost], [0, 0, 0], `${system} oracle`);
      assert.ok(x.oracle.rows > 0 && x.tokens > 0 && x.eventsPerSecond > 0, JSON.stringify(x));
      const own = system === 'freshet' ? ['router', 'embedder', 'writer'] : ['seedStyle'];
      for (const p of [...own, 'kafka', 'milvus'])
        assert.ok((x.cpuSeconds[p] ?? 0) > 0, `${system} ${p} CPU`);
    }
    assert.ok(r.targets.length >= 13);
    for (const target of r.targets) assert.equal(typeof target.met, 'boolean');

    const md = readFileSync(join(out, 'quick.md'), 'utf8');
    assert.match(md, new RegExp(`${r.machine.cores} cores`));
    assert.match(md, /Load average/);
    for (const target of r.targets) assert.ok(md.includes(`| ${target.name} |`), target.name);
    const svg = readFileSync(join(out, 'quick.svg'), 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.match(/<circle /g)?.length, f.samples);

    // Clean-up: no topic, group or collection of the run is left on the shared stack.
    const kafka = new Kafka({ brokers: [STACK.kafka], clientId: 'bench-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    assert.deepEqual(
      topics.filter((name) => name.startsWith(`bench.${r.runId}.`)),
      [],
    );
    const milvus = createMilvusClient({ address: STACK.milvus });
    const collections = await milvus.listCollections();
    await milvus.closeConnection();
    assert.deepEqual(
      collections.data.map((c) => c.name).filter((name) => name.startsWith(`bench_${r.runId}`)),
      [],
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
