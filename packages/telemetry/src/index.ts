export { createFailpoints, type Failpoints } from './failpoint.js';
export {
  type HealthServer,
  type HealthServerOptions,
  type ReadinessCheck,
  startHealthServer,
} from './health.js';
export { consumerDrainMs, exitOnSignals, exitOnStartupError } from './lifecycle.js';
export { createLogger, type Logger, type LoggerOptions, maskSecrets, REDACT_PATHS } from './logger.js';
export {
  Counter,
  createMetrics,
  Gauge,
  Histogram,
  OutcomeTally,
  type PipelineMetrics,
  Registry,
} from './metrics.js';
export { StartupProgress } from './startup.js';
export {
  contextFromHeaders,
  headersFromContext,
  isTracing,
  type KafkaHeaders,
  type RecordSpan,
  startRecordSpan,
  startTracing,
  type Tracing,
  type TracingOptions,
  withContext,
} from './tracing.js';
