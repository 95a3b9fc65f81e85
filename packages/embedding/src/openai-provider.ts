import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import {
  EmbeddingAbortedError,
  EmbeddingApiError,
  EmbeddingDimensionError,
  EmbeddingError,
  type EmbeddingErrorCode,
  EmbeddingResponseError,
} from './errors.js';
import type { EmbeddingProvider } from './provider.js';
import { retryAfterFromHeaders } from './retry-after.js';
import { countTokens } from './tokenizer.js';

type OpenAISdk = typeof import('openai');
let sdk: OpenAISdk | undefined;
// Loaded by the first provider, not by the import: an embedder on the `local` or `hash` provider never
// pays the SDK's ~20 MB of RSS (README, Memory). Its CommonJS build, since a require is synchronous.
function openaiSdk(): OpenAISdk {
  sdk ??= createRequire(import.meta.url)('openai') as OpenAISdk;
  return sdk;
}

export interface OpenAIProviderOptions {
  model: string;
  dimension: number;
  /** Up to and including `/v1`. */
  baseURL: string;
  apiKey?: string | undefined;
  organization?: string | undefined;
  project?: string | undefined;
  /** Timeout of one HTTP request in ms. */
  timeoutMs: number;
  /** Send `dimensions` (text-embedding-3 and later only). */
  sendDimensions: boolean;
  encodingFormat?: 'base64' | 'float';
  /**
   * Called with the tokens of each successful request: the `usage.prompt_tokens` the API billed, or the
   * texts' cl100k count when a compatible server leaves usage out (the tokens metric).
   */
  onTokens?: (count: number) => void;
}

/**
 * Any OpenAI-compatible `/embeddings` endpoint through the official SDK. The SDK's own retries are
 * off (`maxRetries: 0`): retry.ts retries, so every retry is counted and honours the budgets.
 */
export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimension: number;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly options: OpenAIProviderOptions;

  constructor(options: OpenAIProviderOptions) {
    this.options = options;
    this.model = options.model;
    this.dimension = options.dimension;
    this.baseURL = options.baseURL;
    this.client = new (openaiSdk().OpenAI)({
      baseURL: options.baseURL,
      // Keyless compatible servers still get a syntactically valid bearer header.
      apiKey: options.apiKey ?? 'unused',
      // Explicit nulls stop the SDK from picking OPENAI_ORG_ID / OPENAI_PROJECT_ID up from the env.
      organization: options.organization ?? null,
      project: options.project ?? null,
      timeout: options.timeoutMs,
      maxRetries: 0,
    });
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      // encoding_format is always explicit: left out, the SDK asks for base64 and decodes it assuming
      // the server complied; a compatible server that answers floats anyway would be decoded as bytes.
      response = await this.client.embeddings.create(
        {
          model: this.model,
          input: texts,
          encoding_format: this.options.encodingFormat ?? 'base64',
          ...(this.options.sendDimensions ? { dimensions: this.dimension } : {}),
        },
        signal ? { signal } : {},
      );
    } catch (error) {
      throw toEmbeddingError(error, this.baseURL);
    }
    const vectors = decodeEmbeddings(response, texts.length, this.dimension, this.model);
    if (this.options.onTokens) {
      const billed = (response as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens;
      this.options.onTokens(
        typeof billed === 'number' && Number.isInteger(billed) && billed >= 0
          ? billed
          : texts.reduce((sum, text) => sum + countTokens(text), 0),
      );
    }
    return vectors;
  }
}

/**
 * One vector per input, placed by `index` (the API documents the field, not the order), every
 * vector `dimension` long and finite. Accepts base64 (little-endian float32) or float arrays.
 */
export function decodeEmbeddings(
  response: unknown,
  inputs: number,
  dimension: number,
  model: string,
): Float32Array[] {
  const data = (response as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new EmbeddingResponseError('embedding response has no data array');
  if (data.length !== inputs) {
    throw new EmbeddingResponseError(`embedding response has ${data.length} vectors for ${inputs} inputs`);
  }
  const out = new Array<Float32Array | undefined>(inputs);
  for (const item of data as Array<{ index?: unknown; embedding?: unknown } | null>) {
    const index = item?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= inputs) {
      throw new EmbeddingResponseError(`embedding response has an invalid index ${String(index)}`);
    }
    if (out[index] !== undefined)
      throw new EmbeddingResponseError(`embedding response repeats index ${index}`);
    const vector = decodeVector(item?.embedding);
    if (vector.length !== dimension) throw new EmbeddingDimensionError(dimension, vector.length, model);
    out[index] = vector;
  }
  return out as Float32Array[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function decodeVector(embedding: unknown): Float32Array {
  let vector: Float32Array;
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) {
      throw new EmbeddingResponseError(`base64 embedding of ${bytes.length} bytes is not float32`);
    }
    vector = new Float32Array(bytes.length / 4);
    // One byte copy on a little-endian host (the wire format is little-endian float32), else per float.
    if (LITTLE_ENDIAN) new Uint8Array(vector.buffer).set(bytes);
    else for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  } else if (Array.isArray(embedding)) {
    vector = new Float32Array(embedding.length);
    for (let i = 0; i < embedding.length; i++) {
      const v: unknown = embedding[i];
      if (typeof v !== 'number') throw new EmbeddingResponseError('embedding array holds a non-number');
      vector[i] = v;
    }
  } else {
    throw new EmbeddingResponseError(`embedding is neither base64 nor an array (${typeof embedding})`);
  }
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) throw new EmbeddingResponseError('embedding holds NaN or infinity');
  }
  return vector;
}

/** Maps an SDK failure onto the typed errors, with status, server wait hint and canRetry. */
export function toEmbeddingError(error: unknown, endpoint: string): EmbeddingError {
  if (error instanceof EmbeddingError) return error;
  const where = `embedding API ${endpoint}`;
  // Without the SDK loaded nothing can have come from it.
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk ?? {};
  if (APIUserAbortError && error instanceof APIUserAbortError) {
    return new EmbeddingAbortedError(`request to ${where} aborted`, { cause: error });
  }
  if (APIConnectionTimeoutError && error instanceof APIConnectionTimeoutError) {
    return new EmbeddingApiError('FRESHET_EMBEDDING_TIMEOUT', `${where} timed out`, true, { cause: error });
  }
  if (APIConnectionError && error instanceof APIConnectionError) {
    const detail = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', `cannot reach ${where}${detail}`, true, {
      cause: error,
    });
  }
  if (APIError && error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const [code, canRetry] = classifyStatus(status);
    const retryAfterMs = canRetry ? retryAfterFromHeaders(error.headers, { status }) : undefined;
    return new EmbeddingApiError(code, `${where} answered ${error.message}`, canRetry, {
      cause: error,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  // Anything else (a proxy's HTML page, a body that is not JSON) is treated as a passing outage.
  const message = error instanceof Error ? error.message : String(error);
  return new EmbeddingApiError('FRESHET_EMBEDDING_UNAVAILABLE', `${where} failed: ${message}`, true, {
    cause: error,
  });
}

/** 429, 408, 409 and 5xx are outages worth retrying; other statuses will fail the same way again. */
export function classifyStatus(status: number): [EmbeddingErrorCode, boolean] {
  if (status === 429) return ['FRESHET_EMBEDDING_RATE_LIMITED', true];
  if (status === 408 || status === 409 || status >= 500) return ['FRESHET_EMBEDDING_UNAVAILABLE', true];
  if (status === 401 || status === 403) return ['FRESHET_EMBEDDING_AUTH', false];
  if (status === 404) return ['FRESHET_EMBEDDING_NOT_FOUND', false];
  return ['FRESHET_EMBEDDING_REJECTED', false];
}
