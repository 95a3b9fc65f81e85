// The local model's throughput (issue 15): new texts/s of catalog length through the embedder's own
// embedding client (batcher, breaker, metrics; cache off so every text is inferred), for a few worker /
// thread / batch settings, with CPU-seconds per text and the process's RSS. Results go to
// bench/results/local-model.{json,md}; the defaults in packages/config come from this table.
//   node bench/dist/local-model.js [--texts 512] [--configs 1x1x1,2x1x1] [--model all-minilm-l6-v2-q-mean+lex]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbeddingClient, EMBEDDING_DEFAULTS, LOCAL_MODELS } from '@freshet/embedding';
import { Registry } from '@freshet/telemetry';
import { generateCatalog } from '@freshet/testkit';
import { LoadSampler, machineInfo } from './machine.js';
import { launcherMalloc, launcherNodeFlags } from './processes.js';
import { BENCH_MODEL, textOf } from './workload.js';

const { values } = parseArgs({
  options: {
    texts: { type: 'string', default: '512' },
    // workers x threads x texts per inference call
    configs: { type: 'string', default: '1x1x1,2x1x1,1x2x1,1x1x8' },
    model: { type: 'string', default: EMBEDDING_DEFAULTS.localModel },
    out: { type: 'string', default: join(import.meta.dirname, '../results') },
    /** Internal: measure one config in this process and print its Run as JSON (RSS of a fresh process). */
    one: { type: 'string' },
  },
});
const model = values.model;
if (!LOCAL_MODELS[model])
  throw new Error(`unknown local model ${model} (${Object.keys(LOCAL_MODELS).join(', ')})`);

// The router's template and attributes (the bench's, as in every other segment): the texts the embedder gets.
const texts = generateCatalog({ count: Number(values.texts), seed: 20260 }).map((e) =>
  textOf(e.product, BENCH_MODEL),
);
const averageChars = texts.reduce((n, t) => n + t.length, 0) / texts.length;

interface Run {
  workers: number;
  threads: number;
  batchSize: number;
  loadSeconds: number;
  texts: number;
  seconds: number;
  textsPerSecond: number;
  cpuMsPerText: number;
  rssMb: { before: number; loaded: number; peak: number };
}

async function measure(config: string): Promise<Run> {
  const [workers, threads, batchSize] = config.split('x').map(Number) as [number, number, number];
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const client = createEmbeddingClient(
    {
      provider: 'local',
      model,
      local: { workers, threads, batchSize },
      cache: { embeddingMaxBytes: 0, productHashMaxEntries: 0 },
    },
    { registry: new Registry() },
  );
  await client.ready();
  const loadSeconds = (performance.now() - t0) / 1000;
  const rssLoaded = process.memoryUsage().rss;
  await client.embedMany(texts.slice(0, 8)); // first-call warm-up, not measured
  let peak = rssLoaded;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  await client.embedMany(texts);
  const seconds = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await client.close();
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  const run: Run = {
    workers,
    threads,
    batchSize,
    loadSeconds,
    texts: texts.length,
    seconds,
    textsPerSecond: texts.length / seconds,
    cpuMsPerText: (cpu.user + cpu.system) / 1000 / texts.length,
    rssMb: { before: mb(rssBefore), loaded: mb(rssLoaded), peak: mb(peak) },
  };
  return run;
}

if (values.one) {
  console.log(JSON.stringify(await measure(values.one)));
  process.exit(0);
}

const malloc = launcherMalloc();
// And with the node flags the launcher gives an embedder on the local model.
const embedderFlags = launcherNodeFlags('embedder', { FRESHET_EMBEDDING_PROVIDER: 'local' });
const load = new LoadSampler();
const started = Date.now();
const runs: Run[] = [];
for (const config of values.configs.split(',')) {
  // Each setting in a fresh process, so its RSS is its own.
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      ...embedderFlags,
      import.meta.filename,
      '--one',
      config,
      '--texts',
      values.texts,
      '--model',
      model,
    ],
    // Under the malloc settings the embedder gets from its launcher and the image: ONNX Runtime's speed
    // depends on them (its buffers past the mmap threshold are mapped and unmapped per allocation).
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...malloc } },
  );
  if (child.status !== 0) throw new Error(`measuring ${config} failed (exit ${child.status})`);
  const run = JSON.parse(child.stdout.trim().split('\n').pop()!) as Run;
  runs.push(run);
  console.log(
    `${config}: ${run.textsPerSecond.toFixed(0)} texts/s, ${run.cpuMsPerText.toFixed(1)} CPU-ms/text, load ${run.loadSeconds.toFixed(1)} s, RSS ${run.rssMb.loaded} → peak ${run.rssMb.peak} MB`,
  );
}

const results = {
  schema: 1,
  startedAt: new Date(started).toISOString(),
  durationSeconds: (Date.now() - started) / 1000,
  machine: machineInfo(load.stop()),
  model,
  maxTokens: LOCAL_MODELS[model]!.maxTokens,
  averageChars,
  malloc,
  nodeFlags: embedderFlags,
  runs,
};
mkdirSync(values.out, { recursive: true });
const name = model === EMBEDDING_DEFAULTS.localModel ? 'local-model' : `local-model-${model}`;
writeFileSync(join(values.out, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
const m = results.machine;
const mallocText = Object.entries(malloc)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
const md = [
  `# Local model throughput: ${model}`,
  '',
  `${texts.length} catalog texts (the router's template, ${averageChars.toFixed(0)} characters on average, truncated at ${results.maxTokens} tokens) through the embedder's embedding client, cache off, under the launcher's malloc settings (${mallocText}) and node flags (${embedderFlags.join(' ') || 'none'}). ${m.cores} cores (${m.cpuModel}), Node ${m.node}; load average ${m.load.min.toFixed(1)}–${m.load.max.toFixed(1)} (mean ${m.load.mean.toFixed(1)}) during the run${m.load.max > m.cores + 0.5 ? ': other work shared the machine' : ''}. CPU-ms per text is the machine-independent figure; texts/s on an idle machine ≈ cores × 1000 / CPU-ms.`,
  '',
  '| workers × threads | texts per call | texts/s | CPU-ms/text | load (s) | RSS before → loaded → peak (MB) |',
  '|---|---|---|---|---|---|',
  ...runs.map(
    (r) =>
      `| ${r.workers} × ${r.threads} | ${r.batchSize} | ${r.textsPerSecond.toFixed(0)} | ${r.cpuMsPerText.toFixed(1)} | ${r.loadSeconds.toFixed(1)} | ${r.rssMb.before} → ${r.rssMb.loaded} → ${r.rssMb.peak} |`,
  ),
  '',
];
writeFileSync(join(values.out, `${name}.md`), md.join('\n'));
console.log(`results: ${join(values.out, `${name}.md`)}`);
