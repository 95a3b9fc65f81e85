import { readFileSync } from 'node:fs';
import { DEFAULT_LOCAL_MODEL, LOCAL_MODELS } from '@freshet/embedding/local-models';
import type { z } from 'zod';
import { type Env, parseEnv } from './env.js';
import { ConfigError } from './errors.js';
import {
  cliSchema,
  embedderSchema,
  KNOWN_VARIABLES,
  routerSchema,
  SECRET_VARIABLES,
  writerSchema,
} from './schema.js';
import type {
  CliConfig,
  CommonConfig,
  EmbedderConfig,
  EmbeddingModelConfig,
  KafkaConfig,
  MilvusConfig,
  RouterConfig,
  ServiceName,
  WriterConfig,
} from './types.js';

type RouterEnv = z.output<typeof routerSchema>;
type EmbedderEnv = z.output<typeof embedderSchema>;
type WriterEnv = z.output<typeof writerSchema>;
type CliEnv = z.output<typeof cliSchema>;
type ServiceEnv = RouterEnv | EmbedderEnv | WriterEnv;
type AnyEnv = ServiceEnv | CliEnv;

// The models the `local` provider runs and their dimensions, from the embedding package's own list (its
// model-list module alone: no model, no runtime loaded): the router hashes the model id and dimension into
// every content hash without loading the model.
const LOCAL_DIMENSIONS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(LOCAL_MODELS).map((spec) => [spec.id, spec.dimension]),
);
const HASH_MODEL = 'freshet-hash-v1';
const HASH_DIMENSION = 384;
const OPENAI_MODEL = 'text-embedding-3-small';
const OPENAI_DIMENSION = 1536;

export function loadRouterConfig(env: Env = process.env): RouterConfig {
  const e = parseEnv(routerSchema, env, { secrets: SECRET_VARIABLES, knownVariables: KNOWN_VARIABLES });
  return {
    ...common('router', e, e.FRESHET_ROUTER_GROUP_ID, e.FRESHET_ROUTER_PARTITIONS_CONCURRENCY),
    router: {
      dedupWindow: e.FRESHET_DEDUP_WINDOW,
      textMaxBytes: e.FRESHET_TEXT_MAX_BYTES,
      textAttributes: e.FRESHET_TEXT_ATTRIBUTES,
    },
  };
}

export function loadEmbedderConfig(env: Env = process.env): EmbedderConfig {
  const e = parseEnv(embedderSchema, env, { secrets: SECRET_VARIABLES, knownVariables: KNOWN_VARIABLES });
  return {
    ...common('embedder', e, e.FRESHET_EMBEDDER_GROUP_ID, e.FRESHET_EMBEDDER_PARTITIONS_CONCURRENCY),
    milvus: milvus(e),
    embedder: {
      maxInputs: e.FRESHET_EMBED_MAX_INPUTS,
      maxTokensPerRequest: e.FRESHET_EMBED_MAX_TOKENS,
      lingerMs: e.FRESHET_EMBED_LINGER_MS,
      maxInputTokens: e.FRESHET_EMBED_MAX_INPUT_TOKENS,
      concurrency: e.FRESHET_EMBED_CONCURRENCY,
      timeoutMs: e.FRESHET_EMBED_TIMEOUT_MS,
      maxRetries: e.FRESHET_EMBED_MAX_RETRIES,
      rpm: e.FRESHET_EMBED_RPM,
      tpm: e.FRESHET_EMBED_TPM,
      cacheMb: e.FRESHET_EMBED_CACHE_MB,
      maxBytesPerPartition: e.FRESHET_EMBEDDER_MAX_BYTES_PER_PARTITION,
      maxPendingRecords: e.FRESHET_EMBEDDER_MAX_PENDING_RECORDS,
      hashCacheSize: e.FRESHET_HASH_CACHE_SIZE,
      breaker: {
        errorThresholdPercentage: e.FRESHET_BREAKER_ERROR_PERCENT,
        volumeThreshold: e.FRESHET_BREAKER_VOLUME,
        resetTimeoutMs: e.FRESHET_BREAKER_RESET_MS,
      },
    },
  };
}

export function loadWriterConfig(env: Env = process.env): WriterConfig {
  const e = parseEnv(writerSchema, env, { secrets: SECRET_VARIABLES, knownVariables: KNOWN_VARIABLES });
  return {
    ...common('writer', e, e.FRESHET_WRITER_GROUP_ID, e.FRESHET_WRITER_PARTITIONS_CONCURRENCY),
    milvus: milvus(e),
    writer: {
      maxBytesPerPartition: e.FRESHET_WRITER_MAX_BYTES_PER_PARTITION,
      minBytes: e.FRESHET_WRITER_MIN_BYTES,
      maxWaitMs: e.FRESHET_WRITER_MAX_WAIT_MS,
      stateCacheSize: e.FRESHET_WRITER_STATE_CACHE_SIZE,
    },
  };
}

/** The `freshet` CLI: same connection, topic and model settings as the stages, read from the same env. */
export function loadCliConfig(env: Env = process.env): CliConfig {
  const e = parseEnv(cliSchema, env, { secrets: SECRET_VARIABLES, knownVariables: KNOWN_VARIABLES });
  return {
    kafka: kafka('cli', e),
    topics: {
      input: e.FRESHET_TOPIC_INPUT,
      embed: e.FRESHET_TOPIC_EMBED,
      index: e.FRESHET_TOPIC_INDEX,
      dlq: e.FRESHET_TOPIC_DLQ,
      partitions: e.FRESHET_TOPIC_PARTITIONS,
      replicationFactor: e.FRESHET_TOPIC_REPLICATION_FACTOR,
      dlqReplays: e.FRESHET_TOPIC_DLQ_REPLAYS,
    },
    registry: {
      url: e.FRESHET_REGISTRY_URL,
      ...(e.FRESHET_REGISTRY_USERNAME ? { username: e.FRESHET_REGISTRY_USERNAME } : {}),
      ...(e.FRESHET_REGISTRY_PASSWORD ? { password: e.FRESHET_REGISTRY_PASSWORD } : {}),
    },
    milvus: milvus(e),
    embedding: embeddingModel(e),
    groups: {
      router: e.FRESHET_ROUTER_GROUP_ID,
      embedder: e.FRESHET_EMBEDDER_GROUP_ID,
      writer: e.FRESHET_WRITER_GROUP_ID,
    },
    output: e.FRESHET_CLI_OUTPUT,
    logLevel: e.FRESHET_CLI_LOG_LEVEL,
    stageUrls: {
      ...(e.FRESHET_CLI_ROUTER_URL ? { router: e.FRESHET_CLI_ROUTER_URL } : {}),
      ...(e.FRESHET_CLI_EMBEDDER_URL ? { embedder: e.FRESHET_CLI_EMBEDDER_URL } : {}),
      ...(e.FRESHET_CLI_WRITER_URL ? { writer: e.FRESHET_CLI_WRITER_URL } : {}),
    },
    localStageUrls: {
      router: `http://127.0.0.1:${e.FRESHET_ROUTER_PORT}`,
      embedder: `http://127.0.0.1:${e.FRESHET_EMBEDDER_PORT}`,
      writer: `http://127.0.0.1:${e.FRESHET_WRITER_PORT}`,
    },
  };
}

/** Embedding model settings alone (the CLI embeds search queries with the same model). */
export function loadEmbeddingModelConfig(env: Env = process.env): EmbeddingModelConfig {
  const e = parseEnv(routerSchema, env, { secrets: SECRET_VARIABLES, knownVariables: KNOWN_VARIABLES });
  return embeddingModel(e);
}

function common(
  name: ServiceName,
  e: ServiceEnv,
  groupId: string,
  partitionsConcurrency: number,
): CommonConfig {
  return {
    service: {
      name,
      groupId,
      partitionsConcurrency,
      httpHost: e.FRESHET_HTTP_HOST,
      httpPort: e.FRESHET_HTTP_PORT,
      logLevel: e.FRESHET_LOG_LEVEL,
      ...(e.FRESHET_OTEL_EXPORTER_OTLP_ENDPOINT
        ? { otlpEndpoint: e.FRESHET_OTEL_EXPORTER_OTLP_ENDPOINT }
        : {}),
      serviceNamespace: e.FRESHET_OTEL_SERVICE_NAMESPACE,
      shutdownGraceMs: e.FRESHET_SHUTDOWN_GRACE_MS,
      retry: { baseMs: e.FRESHET_RETRY_BASE_MS, maxMs: e.FRESHET_RETRY_MAX_MS },
      failpoints: e.FRESHET_FAILPOINTS,
    },
    kafka: kafka(name, e),
    topics: {
      input: e.FRESHET_TOPIC_INPUT,
      embed: e.FRESHET_TOPIC_EMBED,
      index: e.FRESHET_TOPIC_INDEX,
      dlq: e.FRESHET_TOPIC_DLQ,
      partitions: e.FRESHET_TOPIC_PARTITIONS,
      replicationFactor: e.FRESHET_TOPIC_REPLICATION_FACTOR,
    },
    registry: {
      url: e.FRESHET_REGISTRY_URL,
      ...(e.FRESHET_REGISTRY_USERNAME ? { username: e.FRESHET_REGISTRY_USERNAME } : {}),
      ...(e.FRESHET_REGISTRY_PASSWORD ? { password: e.FRESHET_REGISTRY_PASSWORD } : {}),
    },
    embedding: embeddingModel(e),
  };
}

function kafka(name: ServiceName | 'cli', e: AnyEnv): KafkaConfig {
  const mechanism = e.FRESHET_KAFKA_SASL_MECHANISM;
  let sasl: KafkaConfig['sasl'];
  if (mechanism !== 'none') {
    if (!e.FRESHET_KAFKA_SASL_USERNAME || !e.FRESHET_KAFKA_SASL_PASSWORD) {
      throw new ConfigError([
        {
          variable: e.FRESHET_KAFKA_SASL_USERNAME
            ? 'FRESHET_KAFKA_SASL_PASSWORD'
            : 'FRESHET_KAFKA_SASL_USERNAME',
          problem: `required when FRESHET_KAFKA_SASL_MECHANISM=${mechanism}`,
        },
      ]);
    }
    sasl = { mechanism, username: e.FRESHET_KAFKA_SASL_USERNAME, password: e.FRESHET_KAFKA_SASL_PASSWORD };
  }
  if (e.FRESHET_KAFKA_SSL_CA_FILE) checkCaFile(e.FRESHET_KAFKA_SSL_CA_FILE, e.FRESHET_KAFKA_SSL);
  return {
    brokers: e.FRESHET_KAFKA_BROKERS,
    clientId: e.FRESHET_KAFKA_CLIENT_ID ?? `freshet-${name}`,
    ssl: e.FRESHET_KAFKA_SSL
      ? {
          ...(e.FRESHET_KAFKA_SSL_CA_FILE ? { caFile: e.FRESHET_KAFKA_SSL_CA_FILE } : {}),
          rejectUnauthorized: e.FRESHET_KAFKA_SSL_REJECT_UNAUTHORIZED,
        }
      : false,
    ...(sasl ? { sasl } : {}),
    connectionTimeoutMs: e.FRESHET_KAFKA_CONNECTION_TIMEOUT_MS,
    sessionTimeoutMs: e.FRESHET_KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: e.FRESHET_KAFKA_HEARTBEAT_INTERVAL_MS,
  };
}

/**
 * A CA file that cannot be used fails at start naming the variable, not later as a TLS error: unreadable,
 * not PEM, or given while TLS is off (it would be ignored and the client would speak plaintext).
 */
function checkCaFile(file: string, ssl: boolean): void {
  const variable = 'FRESHET_KAFKA_SSL_CA_FILE';
  if (!ssl) {
    throw new ConfigError([
      {
        variable,
        problem: 'is set but FRESHET_KAFKA_SSL is false: set FRESHET_KAFKA_SSL=true, or unset the CA',
      },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([{ variable, problem: `cannot read ${file}: ${(cause as Error).message}` }]);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError([
      { variable, problem: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` },
    ]);
  }
}

function milvus(e: EmbedderEnv | WriterEnv | CliEnv): MilvusConfig {
  return {
    address: e.FRESHET_MILVUS_ADDRESS,
    ...(e.FRESHET_MILVUS_TOKEN ? { token: e.FRESHET_MILVUS_TOKEN } : {}),
    ssl: e.FRESHET_MILVUS_SSL,
    collection: e.FRESHET_COLLECTION,
  };
}

function embeddingModel(e: AnyEnv): EmbeddingModelConfig {
  // The offline local provider is the default when no key is set, so the system runs with no account.
  const provider = e.FRESHET_EMBEDDING_PROVIDER ?? (e.FRESHET_EMBEDDING_API_KEY ? 'openai' : 'local');
  if (provider === 'openai' && !e.FRESHET_EMBEDDING_API_KEY && !e.FRESHET_EMBEDDING_BASE_URL) {
    throw new ConfigError([
      {
        variable: 'FRESHET_EMBEDDING_API_KEY',
        problem:
          'required when FRESHET_EMBEDDING_PROVIDER=openai (or set FRESHET_EMBEDDING_BASE_URL for a keyless endpoint)',
      },
    ]);
  }
  const model =
    e.FRESHET_EMBEDDING_MODEL ??
    (provider === 'local' ? DEFAULT_LOCAL_MODEL : provider === 'hash' ? HASH_MODEL : OPENAI_MODEL);
  const localDimension = LOCAL_DIMENSIONS[model];
  if (provider === 'local' && localDimension === undefined) {
    throw new ConfigError([
      {
        variable: 'FRESHET_EMBEDDING_MODEL',
        problem: `the local provider runs ${Object.keys(LOCAL_DIMENSIONS).join(' or ')}, not ${model}`,
      },
    ]);
  }
  if (provider === 'hash' && model !== HASH_MODEL) {
    throw new ConfigError([
      { variable: 'FRESHET_EMBEDDING_MODEL', problem: `the hash provider is ${HASH_MODEL}, not ${model}` },
    ]);
  }
  const dimension =
    e.FRESHET_EMBEDDING_DIMENSIONS ??
    (provider === 'local' ? localDimension! : provider === 'hash' ? HASH_DIMENSION : OPENAI_DIMENSION);
  if (provider === 'local' && dimension !== localDimension) {
    throw new ConfigError([
      {
        variable: 'FRESHET_EMBEDDING_DIMENSIONS',
        problem: `${model} gives ${localDimension}, not ${dimension}`,
      },
    ]);
  }
  return {
    provider,
    model,
    dimension,
    local: {
      ...(e.FRESHET_EMBEDDING_MODELS_DIR ? { modelsDir: e.FRESHET_EMBEDDING_MODELS_DIR } : {}),
      workers: e.FRESHET_EMBEDDING_WORKERS,
      threads: e.FRESHET_EMBEDDING_THREADS,
      batchSize: e.FRESHET_EMBEDDING_MODEL_BATCH,
    },
    ...(e.FRESHET_EMBEDDING_BASE_URL ? { baseUrl: e.FRESHET_EMBEDDING_BASE_URL } : {}),
    ...(e.FRESHET_EMBEDDING_SECONDARY_BASE_URL
      ? { secondaryBaseUrl: e.FRESHET_EMBEDDING_SECONDARY_BASE_URL }
      : {}),
    ...(e.FRESHET_EMBEDDING_API_KEY ? { apiKey: e.FRESHET_EMBEDDING_API_KEY } : {}),
    templateVersion: e.FRESHET_TEMPLATE_VERSION,
  };
}
