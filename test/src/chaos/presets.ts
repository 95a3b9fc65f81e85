import type { ChaosOptions } from './chaos.js';
import type { ScenarioName } from './scenarios.js';

export const ALL_SCENARIOS: readonly ScenarioName[] = ['kill', 'milvus', 'embedding-api', 'broker', 'scale'];

type Preset = Omit<ChaosOptions, 'log' | 'label'>;

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** The full run (`npm run chaos`): ≥ 20,000 events, each service killed 5 times, the outages of issue 5. */
export const FULL: Preset = {
  seed: 5,
  catalogSize: 2000,
  eventsPerScenario: 4000,
  scenarios: ALL_SCENARIOS,
  killsPerService: 5,
  milvusOutageMs: 30_000,
  rateLimitMs: 30_000,
  retryAfterSeconds: 2,
  apiFailMs: 60_000,
  brokerDownMs: 5000,
  scaleHoldMs: 15_000,
  drainTimeoutMs: 240_000,
  partitions: 6,
  shutdownGraceMs: 10_000,
  ports: {
    kafkaPort: port('FRESHET_CHAOS_KAFKA_PORT', 29092),
    kafkaControllerPort: port('FRESHET_CHAOS_KAFKA_CONTROLLER_PORT', 29093),
    kafkaSaslPort: port('FRESHET_CHAOS_KAFKA_SASL_PORT', 29094),
    milvusPort: port('FRESHET_CHAOS_MILVUS_PORT', 29530),
  },
};

/** The short run inside the normal test run: every scenario once, small and quick. */
export const SHORT: Preset = {
  ...FULL,
  seed: 55,
  catalogSize: 300,
  eventsPerScenario: 500,
  killsPerService: 1,
  milvusOutageMs: 8000,
  rateLimitMs: 5000,
  retryAfterSeconds: 1,
  apiFailMs: 8000,
  brokerDownMs: 2000,
  scaleHoldMs: 4000,
  drainTimeoutMs: 120_000,
  ports: {
    kafkaPort: port('FRESHET_CHAOS_SHORT_KAFKA_PORT', 29192),
    kafkaControllerPort: port('FRESHET_CHAOS_SHORT_KAFKA_CONTROLLER_PORT', 29193),
    kafkaSaslPort: port('FRESHET_CHAOS_SHORT_KAFKA_SASL_PORT', 29194),
    milvusPort: port('FRESHET_CHAOS_SHORT_MILVUS_PORT', 29630),
  },
};
