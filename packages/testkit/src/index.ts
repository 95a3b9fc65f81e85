export {
  BAD_EVENT_VERSION,
  BAD_INPUT_CASES,
  type BadInput,
  type BadInputCase,
  type BadInputOptions,
  badInput,
  badInputs,
  type EncodeEvent,
  UNKNOWN_SCHEMA_ID,
} from './bad-inputs.js';
export {
  type CatalogEntry,
  type CatalogOptions,
  CURRENCIES,
  type Currency,
  catalogProduct,
  DESCRIPTION_WORDS,
  descriptionWords,
  editProductText,
  generateCatalog,
  MINOR_UNIT_EXPONENT,
  productId,
  productLanguage,
  readCatalogJsonl,
  writeCatalogJsonl,
} from './catalog.js';
export { LANGUAGES, type Language } from './catalog-vocabulary.js';
export { DLQ_REASON_CODES, DLQ_REASON_DESCRIPTIONS, type DlqReasonCode } from './dlq-reasons.js';
export {
  billedTokens,
  type EncodingFormat,
  OPENAI_LIMITS,
  type OpenAIErrorBody,
  type RequestLimits,
} from './embeddings-request.js';
export {
  type ControlCommand,
  type FakeOpenAI,
  type FakeOpenAIOptions,
  type FakeOpenAIStats,
  type FakeOpenAIStatsSummary,
  type RequestLogEntry,
  startFakeOpenAI,
} from './fake-openai.js';
export { base64ToVector, fakeEmbedding, vectorToBase64 } from './fake-vector.js';
export {
  type ActiveFault,
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  type FaultLimit,
  InvalidFaultError,
} from './faults.js';
export { metricValue } from './metric-value.js';
export { runRecordingModules } from './module-record.js';
export {
  type ActualRow,
  buildOracle,
  type Expected,
  type ExpectedAbsent,
  type ExpectedRow,
  Oracle,
  type OracleDiff,
  type OracleText,
} from './oracle.js';
export { pollUntil } from './poll.js';
export { freePort } from './ports.js';
export { mulberry32, Rng, seedFrom } from './rng.js';
export { SAMPLE_CATALOG } from './sample-catalog.js';
export {
  catalogEvents,
  DEFAULT_MIX,
  type EventMix,
  generateEvents,
  type Injection,
  itemKey,
  type StreamFaults,
  type StreamItem,
  type StreamOptions,
} from './stream.js';
export { ZipfSampler, zipfProbabilities } from './zipf.js';
