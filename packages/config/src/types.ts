export type ServiceName = 'router' | 'embedder' | 'writer';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: false | { caFile?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  connectionTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export interface TopicsConfig {
  input: string;
  embed: string;
  index: string;
  dlq: string;
  partitions: number;
  replicationFactor: number;
}

export interface RegistryConfig {
  url: string;
  username?: string;
  password?: string;
}

export interface MilvusConfig {
  address: string;
  token?: string;
  ssl: boolean;
  /** The alias searched by clients (DESIGN §5). */
  collection: string;
}

export interface EmbeddingModelConfig {
  provider: 'local' | 'hash' | 'openai';
  model: string;
  dimension: number;
  /** The `local` provider's model folder and inference pool. */
  local: { modelsDir?: string; workers: number; threads: number; batchSize: number };
  baseUrl?: string;
  secondaryBaseUrl?: string;
  apiKey?: string;
  templateVersion: number;
}

export interface ServiceConfig {
  name: ServiceName;
  groupId: string;
  partitionsConcurrency: number;
  httpHost: string;
  httpPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  otlpEndpoint?: string;
  serviceNamespace: string;
  shutdownGraceMs: number;
  retry: { baseMs: number; maxMs: number };
  /** FRESHET_FAILPOINTS: test-only crash points (`name` or `name@N`). */
  failpoints: string[];
}

export interface CommonConfig {
  service: ServiceConfig;
  kafka: KafkaConfig;
  topics: TopicsConfig;
  registry: RegistryConfig;
  embedding: EmbeddingModelConfig;
}

export interface RouterConfig extends CommonConfig {
  router: { dedupWindow: number; textMaxBytes: number; textAttributes: string[] };
}

export interface EmbedderConfig extends CommonConfig {
  milvus: MilvusConfig;
  embedder: {
    maxInputs: number;
    maxTokensPerRequest: number;
    lingerMs: number;
    maxInputTokens: number;
    concurrency: number;
    timeoutMs: number;
    maxRetries: number;
    rpm: number;
    tpm: number;
    cacheMb: number;
    /** Fetched bytes per partition (kafkajs maxBytesPerPartition). */
    maxBytesPerPartition: number;
    /** Records per partition in batches not yet finished; unset: the provider's default. */
    maxPendingRecords: number | undefined;
    hashCacheSize: number;
    breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number };
  };
}

export interface WriterConfig extends CommonConfig {
  milvus: MilvusConfig;
  writer: { maxBytesPerPartition: number; minBytes: number; maxWaitMs: number; stateCacheSize: number };
}

export interface CliConfig {
  kafka: KafkaConfig;
  topics: TopicsConfig & { dlqReplays: string };
  registry: RegistryConfig;
  milvus: MilvusConfig;
  embedding: EmbeddingModelConfig;
  groups: Record<ServiceName, string>;
  output: 'text' | 'json';
  logLevel: ServiceConfig['logLevel'];
  /** Base URL of each stage's HTTP server (health and /metrics), when known. */
  stageUrls: Partial<Record<ServiceName, string>>;
  /** Where deploy/local runs each stage (FRESHET_<STAGE>_PORT on loopback): `status` looks there when no URL is set. */
  localStageUrls: Record<ServiceName, string>;
}
