// Messages between the `local` provider and its inference workers (local-provider.ts ↔ local-worker.ts).
import type { Pooling } from './local-models.js';

/** workerData of an inference worker. */
export interface WorkerSetup {
  modelsDir: string;
  folder: string;
  pooling: Pooling;
  maxTokens: number;
  threads: number;
}

export interface InferenceRequest {
  type: 'embed';
  id: number;
  texts: string[];
}

/** Release the model and exit: a worker terminated inside ONNX Runtime's native code aborts the process. */
export interface StopRequest {
  type: 'stop';
}

export type WorkerStatus =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'error'; id: number; message: string };

export interface InferenceResult {
  type: 'result';
  id: number;
  /** texts.length × dimension floats, row-major, each row L2-normalised. */
  vectors: Float32Array;
  dimension: number;
  /** Inputs cut at the model's token limit. */
  truncated: number;
  /** Tokens the model read: of every input, after the cut, special tokens included. */
  tokens: number;
}
