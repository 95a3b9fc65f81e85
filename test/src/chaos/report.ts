import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosResult } from './chaos.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The results table (scenario, events, lost, stale, ghost, DLQ, time to recover) and the checks, as Markdown. */
export function renderMarkdown(result: ChaosResult): string {
  const lines: string[] = [];
  lines.push(
    `Chaos run of ${result.startedAt}: ${result.totalEvents} events (${result.options.catalogSize} catalog creates + ${result.totalEvents - result.options.catalogSize} from the realistic stream), ${result.options.partitions} partitions, ${seconds(result.durationMs)} in all.`,
    '',
    '| scenario | events | lost | stale | ghost | DLQ (bad inputs found / injected, other) | peak lag router / embedder / writer | time to recover (input still flowing for) | checks |',
    '|---|---:|---:|---:|---:|---|---:|---:|---|',
  );
  for (const s of result.scenarios) {
    const passed = s.checks.filter((c) => c.ok).length;
    const lag = `${s.peakLag.router} / ${s.peakLag.embedder} / ${s.peakLag.writer}`;
    lines.push(
      `| ${s.title} | ${s.events} | ${s.lost} | ${s.stale} | ${s.ghost} | ${s.dlq.distinct} / ${s.dlq.expected}, ${s.dlq.unexpected} | ${lag} | ${seconds(s.recoverMs)} (${seconds(s.productionEndedAfterFaultMs)}) | ${passed}/${s.checks.length} |`,
    );
  }
  lines.push(
    '',
    'Lost/stale/ghost and DLQ are checked over the whole index after each scenario has drained. Time to recover: from the end of the fault (last restart, Milvus/API/broker back, scale-down done) until every stage has committed everything produced; the stream keeps flowing at its paced rate for the time in brackets after the fault ended, so recovery is never shorter than that.',
  );
  const i = result.index;
  lines.push(
    '',
    `Final: Milvus holds ${i.rows} rows for ${i.expectedPresent} expected — lost ${i.lost.length}, stale ${i.stale.length}, ghost ${i.ghost.length}. ` +
      `DLQ: ${result.dlq.total} records, ${result.dlq.distinct} of ${result.dlq.expected} injected bad inputs (${result.dlq.duplicates} redelivered copies, ${result.dlq.wrongReason} with a wrong reason, ${result.dlq.unexpected} not a bad input). ` +
      `Per-product order (index topic, first deliveries): ${result.order.violations} violations over ${result.order.products} products. ` +
      `Unexpected service exits: ${result.crashes.length}. Embedding API: ${result.embedding.requests} requests, ${result.embedding.billedInputs} inputs billed.`,
    '',
    'Checks:',
    '',
  );
  for (const s of result.scenarios)
    for (const c of s.checks)
      lines.push(`- ${c.ok ? 'ok' : '**FAIL**'} — ${s.scenario}: ${c.name} (${c.detail.split('\n')[0]})`);
  return `${lines.join('\n')}\n`;
}

export function writeResults(dir: string, result: ChaosResult): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const json = join(dir, 'latest.json');
  writeFileSync(md, renderMarkdown(result));
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  return { md, json };
}

/** Everything a passing run must show; an empty list means the run passed. */
export function failures(result: ChaosResult): string[] {
  const out: string[] = [];
  for (const s of result.scenarios) {
    if (s.lost + s.stale + s.ghost > 0)
      out.push(
        `${s.scenario}: lost ${s.lost}, stale ${s.stale}, ghost ${s.ghost} (${s.staleExamples.join('; ')})`,
      );
    for (const c of s.checks) if (!c.ok) out.push(`${s.scenario}: ${c.name}: ${c.detail}`);
  }
  const { index, dlq, order } = result;
  if (index.lost.length + index.stale.length + index.ghost.length > 0)
    out.push(
      `final index: lost ${index.lost.length}, stale ${index.stale.length}, ghost ${index.ghost.length}`,
    );
  if (dlq.missing > 0 || dlq.unexpected > 0 || dlq.wrongReason > 0)
    out.push(
      `DLQ: ${dlq.missing} bad inputs missing, ${dlq.unexpected} unexpected (${JSON.stringify(dlq.unexpectedReasons)}), ${dlq.wrongReason} wrong reasons`,
    );
  if (dlq.expected === 0) out.push('DLQ: no bad input was injected, so the DLQ check proves nothing');
  if (order.violations > 0) out.push(`order: ${order.violations} violations (${order.examples.join('; ')})`);
  if (result.crashes.length > 0)
    out.push(`crashes: ${result.crashes.map((c) => `${c.stage} exited ${c.exit}\n${c.log}`).join('\n')}`);
  return out;
}
