import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/stack.js';
import { runChaos } from './chaos.js';
import { FULL, SHORT } from './presets.js';
import { failures, renderMarkdown, writeResults } from './report.js';
import type { ScenarioName } from './scenarios.js';

// `node test/dist/chaos/chaos-main.js [--short]`: the full chaos run (npm run chaos); writes
// test/chaos/results/latest.{md,json} and exits 1 when anything was lost, stale, ghost or a check failed.
const short = process.argv.includes('--short');
const preset = short ? SHORT : FULL;
const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[chaos ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
// FRESHET_CHAOS_SCENARIOS=milvus,broker runs only those (debugging); FRESHET_CHAOS_KEEP=1 leaves the
// private stack running afterwards for inspection (stop it with deploy/local/down and its FRESHET_STATE).
const only = process.env.FRESHET_CHAOS_SCENARIOS?.split(',').filter(Boolean) as ScenarioName[] | undefined;
const result = await runChaos({
  ...preset,
  ...(only ? { scenarios: only } : {}),
  keepStack: process.env.FRESHET_CHAOS_KEEP === '1',
  label: short ? 'chaos-short' : 'chaos',
  log,
});
// The short run (also part of npm test) writes outside the checkout; the full run's table is committed.
const dir = short ? join(tmpdir(), 'freshet-chaos-short') : join(REPO_ROOT, 'test/chaos/results');
const files = writeResults(dir, result);
process.stdout.write(`\n${renderMarkdown(result)}\nwritten: ${files.md}, ${files.json}\n`);
const failed = failures(result);
if (failed.length > 0) {
  process.stdout.write(`\nFAILED:\n- ${failed.join('\n- ')}\n`);
  process.exit(1);
}
process.exit(0);
