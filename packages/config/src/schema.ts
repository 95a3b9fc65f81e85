import { z } from 'zod';
import { bool, int, list, optionalStr, str, url } from './env.js';

// One place for every FRESHET_* variable and its default (STYLE: defaults live here and nowhere else).

export const kafkaShape = {
  FRESHET_KAFKA_BROKERS: list(['127.0.0.1:9092']),
  FRESHET_KAFKA_CLIENT_ID: optionalStr(),
  FRESHET_KAFKA_SSL: bool(false),
  FRESHET_KAFKA_SSL_CA_FILE: optionalStr(),
  FRESHET_KAFKA_SSL_REJECT_UNAUTHORIZED: bool(true),
  FRESHET_KAFKA_SASL_MECHANISM: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']).default('none'),
  FRESHET_KAFKA_SASL_USERNAME: optionalStr(),
  FRESHET_KAFKA_SASL_PASSWORD: optionalStr(),
  FRESHET_KAFKA_CONNECTION_TIMEOUT_MS: int(3000, 100),
  FRESHET_KAFKA_SESSION_TIMEOUT_MS: int(30000, 6000),
  FRESHET_KAFKA_HEARTBEAT_INTERVAL_MS: int(3000, 100),
  FRESHET_TOPIC_INPUT: str('catalog.product-events'),
  FRESHET_TOPIC_EMBED: str('freshet.embed-requests'),
  FRESHET_TOPIC_INDEX: str('freshet.index-writes'),
  FRESHET_TOPIC_DLQ: str('freshet.dlq'),
  FRESHET_TOPIC_PARTITIONS: int(6, 1, 10000),
  FRESHET_TOPIC_REPLICATION_FACTOR: int(1, 1, 10),
} as const;

export const registryShape = {
  FRESHET_REGISTRY_URL: url('http://127.0.0.1:8081/apis/ccompat/v7'),
  FRESHET_REGISTRY_USERNAME: optionalStr(),
  FRESHET_REGISTRY_PASSWORD: optionalStr(),
} as const;

export const milvusShape = {
  FRESHET_MILVUS_ADDRESS: str('127.0.0.1:19530'),
  FRESHET_MILVUS_TOKEN: optionalStr(),
  FRESHET_MILVUS_SSL: bool(false),
  FRESHET_COLLECTION: str('products'),
} as const;

export const embeddingModelShape = {
  /**
   * `local` (a sentence-embedding model run in-process, offline), `hash` (feature hashing: tests, smallest
   * footprint) or `openai` (any OpenAI-compatible API); default: openai when a key is set, else local.
   */
  FRESHET_EMBEDDING_PROVIDER: z.enum(['local', 'hash', 'openai']).optional(),
  /**
   * local: all-minilm-l6-v2-q-mean48+lex (default: MiniLM reading 48 tokens), all-minilm-l6-v2-q-mean+lex
   * (64 tokens), bge-small-en-v1.5-q-cls+lex, or any of them without `+lex` (the model's vector alone, 384
   * dimensions); openai: the API's model id.
   */
  FRESHET_EMBEDDING_MODEL: optionalStr(),
  /** local: folder holding the installed models; default the install cache's `models` (image: /app/models). */
  FRESHET_EMBEDDING_MODELS_DIR: optionalStr(),
  // local: one worker with one ONNX Runtime thread, one text per inference call: a text's vector then never
  // depends on the texts beside it (int8 activations are quantized per call), and one core is left to Kafka
  // and Milvus (README, the local provider; bench/README, local model).
  FRESHET_EMBEDDING_WORKERS: int(1, 1, 64),
  FRESHET_EMBEDDING_THREADS: int(1, 1, 64),
  FRESHET_EMBEDDING_MODEL_BATCH: int(1, 1, 2048),
  FRESHET_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(2).max(16384).optional(),
  FRESHET_EMBEDDING_BASE_URL: z.url({ message: 'expected a URL' }).optional(),
  FRESHET_EMBEDDING_SECONDARY_BASE_URL: z.url({ message: 'expected a URL' }).optional(),
  FRESHET_EMBEDDING_API_KEY: optionalStr(),
  /** The embedding-text template (packages/schemas embeddingText): 2 puts the chosen attributes before the description. */
  FRESHET_TEMPLATE_VERSION: int(2, 1, 1000),
} as const;

export const serviceShape = {
  FRESHET_HTTP_HOST: str('0.0.0.0'),
  FRESHET_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRESHET_OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'expected a URL' }).optional(),
  FRESHET_OTEL_SERVICE_NAMESPACE: str('freshet'),
  FRESHET_SHUTDOWN_GRACE_MS: int(25000, 1000),
  FRESHET_RETRY_BASE_MS: int(200, 1),
  FRESHET_RETRY_MAX_MS: int(10000, 1),
  /**
   * Test-only crash points, comma-separated `name` or `name@N` (SIGKILL the Nth time `name` is reached), so
   * tests can kill a stage at an exact moment such as between Milvus's acknowledgement and the commit.
   */
  FRESHET_FAILPOINTS: list([]).refine(
    (names) => names.every((n) => /^[a-z]+(\.[a-z-]+)+(@[1-9]\d*)?$/.test(n)),
    {
      message: 'expected comma-separated failpoints, each <stage>.<point> or <stage>.<point>@N',
    },
  ),
} as const;

export const routerShape = {
  ...kafkaShape,
  ...registryShape,
  ...embeddingModelShape,
  ...serviceShape,
  FRESHET_HTTP_PORT: int(9101, 0, 65535),
  FRESHET_ROUTER_GROUP_ID: str('freshet-router'),
  FRESHET_DEDUP_WINDOW: int(200000, 0),
  FRESHET_TEXT_MAX_BYTES: int(32768, 256),
  FRESHET_TEXT_ATTRIBUTES: list(['color', 'material', 'size', 'model', 'gender', 'style']),
  FRESHET_ROUTER_PARTITIONS_CONCURRENCY: int(3, 1, 64),
} as const;

export const embedderShape = {
  ...kafkaShape,
  ...registryShape,
  ...milvusShape,
  ...embeddingModelShape,
  ...serviceShape,
  FRESHET_HTTP_PORT: int(9102, 0, 65535),
  FRESHET_EMBEDDER_GROUP_ID: str('freshet-embedder'),
  FRESHET_EMBEDDER_PARTITIONS_CONCURRENCY: int(6, 1, 64),
  // Fetched bytes per partition. kafkajs' 1 MB default kept ~6 MB of fetch responses (and the records
  // decoded from them) per fetch in the embedder, whose records carry whole texts: 256 KB took its peak
  // RSS under a 200,000-event backlog from 272 to 250 MB at no loss of throughput (bench, memory backlog).
  FRESHET_EMBEDDER_MAX_BYTES_PER_PARTITION: int(262144, 1024),
  // Records a partition may hold in batches still being embedded before it fetches more. Unset: 500 with
  // an API provider (enough to keep its concurrent requests full), 100 with the local model, which embeds
  // ~200 texts/s: more would only hold texts in memory (see the embedder's pendingRecordsFor).
  FRESHET_EMBEDDER_MAX_PENDING_RECORDS: z.coerce.number().int().min(1).max(100000).optional(),
  FRESHET_EMBED_MAX_INPUTS: int(256, 1, 2048),
  FRESHET_EMBED_MAX_TOKENS: int(300000, 1),
  FRESHET_EMBED_LINGER_MS: int(10, 0),
  FRESHET_EMBED_MAX_INPUT_TOKENS: int(8191, 1),
  FRESHET_EMBED_CONCURRENCY: int(4, 1, 64),
  FRESHET_EMBED_TIMEOUT_MS: int(10000, 1),
  FRESHET_EMBED_MAX_RETRIES: int(6, 0),
  FRESHET_EMBED_RPM: int(0, 0),
  FRESHET_EMBED_TPM: int(0, 0),
  // The vector cache only pays when a text comes back (a revert, the same text on two products): the
  // product-hash cache already skips unchanged texts. On the bench's 200,000-event backlog it answered 123
  // of 42,000 look-ups while its 32 MB (the old default) of vectors sat off the V8 heap and kept the
  // embedder above 256 MB RSS. 8 MB is ~5,000 vectors at 384 dimensions.
  FRESHET_EMBED_CACHE_MB: int(8, 0),
  // ~190 bytes per entry on the heap (id, 64-hex hash, LRU links; 200,000 entries measured 34 MB): under a
  // backlog the embedder's live heap reached ~94 MB of its 128 MB cap with a small catalog, so 200,000 would
  // leave a catalog that large no room. 50,000 (~10 MB) holds the hot products; a miss asks Milvus.
  FRESHET_HASH_CACHE_SIZE: int(50000, 0),
  FRESHET_BREAKER_ERROR_PERCENT: int(50, 1, 100),
  FRESHET_BREAKER_VOLUME: int(5, 1),
  FRESHET_BREAKER_RESET_MS: int(10000, 100),
} as const;

export const writerShape = {
  ...kafkaShape,
  ...registryShape,
  ...milvusShape,
  ...embeddingModelShape,
  ...serviceShape,
  FRESHET_HTTP_PORT: int(9103, 0, 65535),
  FRESHET_WRITER_GROUP_ID: str('freshet-writer'),
  // One batch per partition at once (6 = the default partition count): with 1, a fetch round of 6 partitions
  // waited for 6 Milvus round trips in a row (bench: writer hop p50 1.8 s → 0.7 s at 500 events/s).
  FRESHET_WRITER_PARTITIONS_CONCURRENCY: int(6, 1, 64),
  // 1 MiB (kafkajs' default) now that 6 partitions are in flight at once: with 4 MiB, 6 × 4 MiB of rows
  // (vectors decoded twice over) lifted the writer's peak RSS to 567 MB in the bench; 1 MiB: 407 MB.
  FRESHET_WRITER_MAX_BYTES_PER_PARTITION: int(1048576, 1024),
  FRESHET_WRITER_MIN_BYTES: int(1, 1),
  FRESHET_WRITER_MAX_WAIT_MS: int(100, 0),
  // Products whose version-guard state the writer remembers instead of reading it from Milvus for every
  // group (~100 bytes each); 0 reads every time.
  FRESHET_WRITER_STATE_CACHE_SIZE: int(100000, 0),
} as const;

/** The `freshet` CLI: everything it talks to, plus where the stages' /metrics are (for `status`). */
export const cliShape = {
  ...kafkaShape,
  ...registryShape,
  ...milvusShape,
  ...embeddingModelShape,
  FRESHET_ROUTER_GROUP_ID: routerShape.FRESHET_ROUTER_GROUP_ID,
  FRESHET_EMBEDDER_GROUP_ID: embedderShape.FRESHET_EMBEDDER_GROUP_ID,
  FRESHET_WRITER_GROUP_ID: writerShape.FRESHET_WRITER_GROUP_ID,
  /** `text` (for people) or `json` (for scripts); `--json` overrides. */
  FRESHET_CLI_OUTPUT: z.enum(['text', 'json']).default('text'),
  /** Log level of the CLI's own diagnostics (stderr); results go to stdout. */
  FRESHET_CLI_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('warn'),
  /** Base URLs of each stage's HTTP server for `freshet status` (e.g. http://freshet-router:9101). */
  FRESHET_CLI_ROUTER_URL: z.url({ message: 'expected a URL' }).optional(),
  FRESHET_CLI_EMBEDDER_URL: z.url({ message: 'expected a URL' }).optional(),
  FRESHET_CLI_WRITER_URL: z.url({ message: 'expected a URL' }).optional(),
  /**
   * The ports deploy/local starts the stages on (each one's FRESHET_HTTP_PORT there). Without
   * FRESHET_CLI_<STAGE>_URL, `freshet status` looks for the stage at http://127.0.0.1:<port>.
   */
  FRESHET_ROUTER_PORT: routerShape.FRESHET_HTTP_PORT,
  FRESHET_EMBEDDER_PORT: embedderShape.FRESHET_HTTP_PORT,
  FRESHET_WRITER_PORT: writerShape.FRESHET_HTTP_PORT,
  /** Compacted topic recording which DLQ entries `freshet dlq replay` already sent back. */
  FRESHET_TOPIC_DLQ_REPLAYS: str('freshet.dlq-replays'),
} as const;

export const SECRET_VARIABLES = [
  'FRESHET_KAFKA_SASL_PASSWORD',
  'FRESHET_REGISTRY_PASSWORD',
  'FRESHET_MILVUS_TOKEN',
  'FRESHET_EMBEDDING_API_KEY',
] as const;

export const routerSchema = z.object(routerShape);
export const embedderSchema = z.object(embedderShape);
export const writerSchema = z.object(writerShape);
export const cliSchema = z.object(cliShape);

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...Object.keys(routerShape),
  ...Object.keys(embedderShape),
  ...Object.keys(writerShape),
  ...Object.keys(cliShape),
]);
