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
export { pollUntil } from './poll.js';
export { mulberry32, Rng, seedFrom } from './rng.js';
