export const MILVUS_ERROR_CODES = [
  'FRESHET_MILVUS_UNAVAILABLE',
  'FRESHET_MILVUS_REJECTED',
  'FRESHET_DIMENSION_MISMATCH',
  'FRESHET_MILVUS_LAYOUT',
  'FRESHET_MODEL_MISMATCH',
] as const;
export type MilvusErrorCode = (typeof MILVUS_ERROR_CODES)[number];

/** Milvus did not answer (connection refused, deadline, busy): retry with backoff, commit nothing. */
export class MilvusUnavailableError extends Error {
  override readonly name: string = 'MilvusUnavailableError';
  readonly code = 'FRESHET_MILVUS_UNAVAILABLE';
  readonly canRetry = true;
}

/**
 * The collection is released: Milvus Lite comes back from a restart with every collection released, so
 * queries fail "call load() first" until someone loads it. Retryable: loading it again fixes it (store.ts).
 */
export class MilvusNotLoadedError extends MilvusUnavailableError {
  override readonly name = 'MilvusNotLoadedError';
  constructor(
    message: string,
    /** The physical collection Milvus named, when it did. */
    readonly collection: string | null,
  ) {
    super(message);
  }
}

const NOT_LOADED = /state 'released'|call load\(\)|not loaded/i;

/** Milvus refused the request itself (bad row, wrong dimension): retrying cannot help; DLQ the row. */
export class MilvusRejectedError extends Error {
  override readonly name = 'MilvusRejectedError';
  readonly code: MilvusErrorCode;
  readonly canRetry = false;
  constructor(message: string, options?: { cause?: unknown; code?: MilvusErrorCode }) {
    super(message, options);
    this.code = options?.code ?? 'FRESHET_MILVUS_REJECTED';
  }
}

interface MilvusStatus {
  error_code?: string | number;
  code?: number;
  reason?: string;
  retriable?: boolean;
}

// gRPC codes that mean "could not talk to Milvus": UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// CANCELLED, ABORTED, INTERNAL (a Lite server killed mid-call).
const TRANSPORT_CODES = new Set([14, 4, 8, 1, 10, 13]);

/** Maps a thrown SDK/gRPC error to the typed errors above. */
export function classifyThrown(op: string, error: unknown): Error {
  if (error instanceof MilvusUnavailableError || error instanceof MilvusRejectedError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = describe(error);
  if (
    (typeof code === 'number' && TRANSPORT_CODES.has(code)) ||
    /UNAVAILABLE|ECONNREFUSED|DEADLINE|timeout|No connection/i.test(message)
  ) {
    return new MilvusUnavailableError(`milvus ${op}: ${message}`, { cause: error });
  }
  return new MilvusRejectedError(`milvus ${op}: ${message}`, { cause: error });
}

/** Many SDK calls resolve with a failed status instead of throwing; this turns one into a typed error. */
export function checkStatus(op: string, status: MilvusStatus | undefined): void {
  if (!status) return;
  const ok =
    status.error_code === 'Success' ||
    status.error_code === 0 ||
    (status.error_code === undefined && !status.code);
  if (ok) return;
  const reason = status.reason ?? `error_code ${String(status.error_code)}`;
  if (NOT_LOADED.test(reason)) {
    throw new MilvusNotLoadedError(
      `milvus ${op}: ${reason}`,
      /Collection '([^']+)'/.exec(reason)?.[1] ?? null,
    );
  }
  if (status.retriable || /service unavailable|not ready|busy|rate limit|timeout/i.test(reason)) {
    throw new MilvusUnavailableError(`milvus ${op}: ${reason}`);
  }
  const dimension = /dim|float_vector data has/i.test(reason);
  throw new MilvusRejectedError(
    `milvus ${op}: ${reason}`,
    dimension ? { code: 'FRESHET_DIMENSION_MISMATCH' } : {},
  );
}

/** Runs an SDK call, returning its value or a typed error. */
export async function call<T extends { status?: MilvusStatus } | MilvusStatus>(
  op: string,
  fn: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    throw classifyThrown(op, error);
  }
  const status = 'status' in result ? (result as { status?: MilvusStatus }).status : (result as MilvusStatus);
  checkStatus(op, status);
  return result;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const reason = (error as { reason?: unknown; detail?: unknown } | null)?.reason;
  if (typeof reason === 'string' && reason) return reason;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
