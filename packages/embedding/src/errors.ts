export const EMBEDDING_ERROR_CODES = [
  /** 429 from the API: slow down, retry after the hinted delay. */
  'FRESHET_EMBEDDING_RATE_LIMITED',
  /** 5xx, 408, 409, a reset connection or a refused one: the API is (briefly) out. */
  'FRESHET_EMBEDDING_UNAVAILABLE',
  /** No answer within the request timeout. */
  'FRESHET_EMBEDDING_TIMEOUT',
  /** 400 or 422: the request itself is wrong (input too long, bad model parameter). */
  'FRESHET_EMBEDDING_REJECTED',
  /** 401 or 403: the key is missing, wrong or lacks access — a configuration problem, not a bad record. */
  'FRESHET_EMBEDDING_AUTH',
  /** 404: wrong base URL or unknown model — a configuration problem, not a bad record. */
  'FRESHET_EMBEDDING_NOT_FOUND',
  /** The vectors do not have the configured dimension. */
  'FRESHET_EMBEDDING_DIMENSION',
  /** The answer is not one vector per input (count, index or encoding wrong). */
  'FRESHET_EMBEDDING_RESPONSE',
  /** The circuit breaker is open: the API is considered down, calls fail fast. */
  'FRESHET_BREAKER_OPEN',
  /** The caller aborted (shutdown) or the client was closed. */
  'FRESHET_EMBEDDING_ABORTED',
  /** A configuration value is out of range. */
  'FRESHET_EMBEDDING_CONFIG',
  /** The `local` provider's model files are not installed (deploy/local/install) or cannot be loaded. */
  'FRESHET_EMBEDDING_MODEL_MISSING',
] as const;
export type EmbeddingErrorCode = (typeof EMBEDDING_ERROR_CODES)[number];

export interface EmbeddingErrorOptions {
  cause?: unknown;
  /** HTTP status, when the error came from an HTTP answer. */
  status?: number;
  /** How long the server asked us to wait before the next attempt. */
  retryAfterMs?: number;
}

/**
 * Every error this package throws. `canRetry` true means "the API is out or busy: retry, or pause
 * the partitions and come back" (DESIGN §3, no DLQ for an outage); false means retrying the same
 * request cannot succeed.
 */
export class EmbeddingError extends Error {
  override readonly name: string = 'EmbeddingError';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    readonly canRetry: boolean,
    options: EmbeddingErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** An HTTP-level failure of the embedding API (or of the connection to it). */
export class EmbeddingApiError extends EmbeddingError {
  override readonly name = 'EmbeddingApiError';
}

export class EmbeddingDimensionError extends EmbeddingError {
  static readonly code = 'FRESHET_EMBEDDING_DIMENSION';
  override readonly name = 'EmbeddingDimensionError';
  constructor(
    readonly expected: number,
    readonly actual: number,
    model: string,
  ) {
    super(
      EmbeddingDimensionError.code,
      `model ${model} returned ${actual}-dimensional vectors, expected ${expected}: set the dimension to the model's (or a model that supports it)`,
      false,
    );
  }
}

export class EmbeddingResponseError extends EmbeddingError {
  static readonly code = 'FRESHET_EMBEDDING_RESPONSE';
  override readonly name = 'EmbeddingResponseError';
  constructor(message: string, options: EmbeddingErrorOptions = {}) {
    super(EmbeddingResponseError.code, message, false, options);
  }
}

export class BreakerOpenError extends EmbeddingError {
  static readonly code = 'FRESHET_BREAKER_OPEN';
  override readonly name = 'BreakerOpenError';
  constructor(options: EmbeddingErrorOptions = {}) {
    super(
      BreakerOpenError.code,
      'embedding API circuit breaker is open: failing fast until a probe succeeds',
      true,
      options,
    );
  }
}

export class EmbeddingAbortedError extends EmbeddingError {
  static readonly code = 'FRESHET_EMBEDDING_ABORTED';
  override readonly name = 'EmbeddingAbortedError';
  constructor(message = 'embedding request aborted', options: EmbeddingErrorOptions = {}) {
    // Retryable: the work was not done and must be redelivered, it is not a bad record.
    super(EmbeddingAbortedError.code, message, true, options);
  }
}

export class EmbeddingConfigError extends EmbeddingError {
  static readonly code = 'FRESHET_EMBEDDING_CONFIG';
  override readonly name = 'EmbeddingConfigError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(EmbeddingConfigError.code, `embedding config ${field}: ${problem}`, false);
  }
}

export class LocalModelMissingError extends EmbeddingError {
  static readonly code = 'FRESHET_EMBEDDING_MODEL_MISSING';
  override readonly name = 'LocalModelMissingError';
  constructor(
    readonly model: string,
    readonly modelsDir: string,
    readonly missing: string[],
  ) {
    super(
      LocalModelMissingError.code,
      `model ${model} is not installed in ${modelsDir} (missing ${missing.join(', ')}): run deploy/local/install models, or set FRESHET_EMBEDDING_MODELS_DIR to where it is`,
      false,
    );
  }
}

export function isEmbeddingError(err: unknown): err is EmbeddingError {
  return err instanceof EmbeddingError;
}

/** A short, bounded label for metrics and logs (`retries_total{reason}`, `requests_total{outcome}`). */
export type FailureReason =
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'rejected'
  | 'auth'
  | 'not_found'
  | 'dimension'
  | 'invalid_response'
  | 'breaker_open'
  | 'aborted'
  | 'config'
  | 'model_missing'
  | 'unknown';

const REASONS: Record<EmbeddingErrorCode, FailureReason> = {
  FRESHET_EMBEDDING_RATE_LIMITED: 'rate_limited',
  FRESHET_EMBEDDING_UNAVAILABLE: 'unavailable',
  FRESHET_EMBEDDING_TIMEOUT: 'timeout',
  FRESHET_EMBEDDING_REJECTED: 'rejected',
  FRESHET_EMBEDDING_AUTH: 'auth',
  FRESHET_EMBEDDING_NOT_FOUND: 'not_found',
  FRESHET_EMBEDDING_DIMENSION: 'dimension',
  FRESHET_EMBEDDING_RESPONSE: 'invalid_response',
  FRESHET_BREAKER_OPEN: 'breaker_open',
  FRESHET_EMBEDDING_ABORTED: 'aborted',
  FRESHET_EMBEDDING_CONFIG: 'config',
  FRESHET_EMBEDDING_MODEL_MISSING: 'model_missing',
};

export function failureReason(err: unknown): FailureReason {
  return isEmbeddingError(err) ? REASONS[err.code] : 'unknown';
}
