import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Series every stage exports (DESIGN §6); the Grafana dashboard and alerts use these names. */
export interface PipelineMetrics {
  registry: Registry;
  events: Counter<'stage' | 'type' | 'outcome'>;
  stageDuration: Histogram<'stage'>;
  batchSize: Histogram<'stage'>;
  dlq: Counter<'stage' | 'reason'>;
  consumerLag: Gauge<'stage' | 'topic' | 'partition'>;
  pausedPartitions: Gauge<'stage'>;
  freshness: Histogram<never>;
  milvusRequests: Counter<'op' | 'outcome'>;
  milvusDuration: Histogram<'op'>;
  retries: Counter<'stage' | 'reason'>;
}

export function createMetrics(service: string, registry = new Registry()): PipelineMetrics {
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'freshet_process_' });
  return {
    registry,
    events: new Counter({
      name: 'freshet_events_total',
      help: 'Events handled, by stage, event type and outcome',
      labelNames: ['stage', 'type', 'outcome'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'freshet_stage_duration_seconds',
      help: 'Time to handle one consumed batch in a stage, from fetch to commit',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'freshet_batch_size',
      help: 'Records per consumed batch',
      labelNames: ['stage'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    dlq: new Counter({
      name: 'freshet_dlq_total',
      help: 'Records sent to the dead-letter topic, by stage and reason code',
      labelNames: ['stage', 'reason'],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'freshet_consumer_lag',
      help: 'High watermark minus next offset to consume, per assigned partition',
      labelNames: ['stage', 'topic', 'partition'],
      registers: [registry],
    }),
    pausedPartitions: new Gauge({
      name: 'freshet_paused_partitions',
      help: 'Partitions paused because a dependency is down (breaker open, Milvus unavailable)',
      labelNames: ['stage'],
      registers: [registry],
    }),
    freshness: new Histogram({
      name: 'freshet_freshness_seconds',
      help: 'indexed_at − occurredAt of each written product event',
      buckets: [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    milvusRequests: new Counter({
      name: 'freshet_milvus_requests_total',
      help: 'Milvus calls by operation and outcome',
      labelNames: ['op', 'outcome'],
      registers: [registry],
    }),
    milvusDuration: new Histogram({
      name: 'freshet_milvus_duration_seconds',
      help: 'Milvus call latency by operation',
      labelNames: ['op'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'freshet_retries_total',
      help: 'Retries of a dependency call (registry, Kafka produce, Milvus), by stage and reason',
      labelNames: ['stage', 'reason'],
      registers: [registry],
    }),
  };
}

/**
 * A batch's events counted per (type, outcome), added to `freshet_events_total` in one go once the batch is
 * done (so a retried batch counts once). prom-client builds a key from the labels on every `inc`: once per
 * record that was one of a stage's larger sources of garbage.
 */
export class OutcomeTally<Type extends string = string, Outcome extends string = string> {
  private readonly counts = new Map<string, { type: Type; outcome: Outcome; n: number }>();

  /** An `n` of 0 still makes the series (a dashboard sees it at 0 rather than missing). */
  add(type: Type, outcome: Outcome, n = 1): void {
    const key = `${type}\u0000${outcome}`;
    const entry = this.counts.get(key);
    if (entry) entry.n += n;
    else this.counts.set(key, { type, outcome, n });
  }

  /** Adds the tallies to the events counter under `stage`, and starts over. */
  record(metrics: Pick<PipelineMetrics, 'events'>, stage: string): void {
    for (const { type, outcome, n } of this.counts.values()) metrics.events.inc({ stage, type, outcome }, n);
    this.counts.clear();
  }
}
