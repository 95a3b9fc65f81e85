import { metricValue } from '@freshet/testkit';
import { histogramTotals } from './stats.js';

export interface StageCycle {
  batches: number;
  meanBatchMs: number;
  meanBatchSize: number;
  /** Mean duration and count of each Milvus call of the stage (writer only). */
  milvus?: Record<string, { calls: number; meanMs: number }>;
  /** Products whose version-guard state the writer had cached (hits) or read from Milvus (misses). */
  stateCache?: { hits: number; misses: number };
}

const MILVUS_OPS = ['load_states', 'upsert', 'partial_update', 'delete'] as const;

function delta(after: string, before: string, name: string, labels: Record<string, string>) {
  const a = histogramTotals(after, name, labels);
  const b = histogramTotals(before, name, labels);
  return { sum: a.sum - b.sum, count: a.count - b.count };
}

/**
 * Where a stage's time went between two scrapes of its /metrics: batches handled, their mean duration
 * and size, and for the writer each Milvus call's mean. The evidence behind the freshness hops.
 */
export function stageCycle(stage: string, before: string, after: string): StageCycle {
  const duration = delta(after, before, 'freshet_stage_duration_seconds', { stage });
  const size = delta(after, before, 'freshet_batch_size', { stage });
  const out: StageCycle = {
    batches: duration.count,
    meanBatchMs: duration.count > 0 ? (duration.sum / duration.count) * 1000 : Number.NaN,
    meanBatchSize: size.count > 0 ? size.sum / size.count : Number.NaN,
  };
  if (stage === 'writer') {
    out.milvus = Object.fromEntries(
      MILVUS_OPS.map((op) => {
        const d = delta(after, before, 'freshet_milvus_duration_seconds', { op });
        return [op, { calls: d.count, meanMs: d.count > 0 ? (d.sum / d.count) * 1000 : Number.NaN }];
      }),
    );
    const lookups = (outcome: string) =>
      metricValue(after, 'freshet_writer_state_cache_total', { outcome }) -
      metricValue(before, 'freshet_writer_state_cache_total', { outcome });
    out.stateCache = { hits: lookups('hit'), misses: lookups('miss') };
  }
  return out;
}
