import type { KafkaConfig } from '@freshet/config';

// Connecting to a secured broker fails in a few distinct ways that kafkajs reports as generic errors
// (a closed connection, "Number of retries exceeded"). Each gets a stable code and a message naming the
// variable to check, never the password (issue 14 §3).

type ConnectionCode =
  | 'FRESHET_KAFKA_AUTH_FAILED'
  | 'FRESHET_KAFKA_TLS_FAILED'
  | 'FRESHET_KAFKA_CONNECTION_CLOSED'
  | 'FRESHET_KAFKA_UNREACHABLE';

/** The broker could not be reached or refused this client; retrying may help (a rotated user, a restart). */
export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
  readonly canRetry = true;
  constructor(
    readonly code: ConnectionCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Node's codes for a certificate the client does not trust or that does not match the host name.
const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and what it wraps (kafkajs nests the socket error in `cause`/`originalError`). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && out.length < 8) {
    const e = current as ErrorLike;
    out.push(e);
    current = e.cause ?? e.originalError;
  }
  return out;
}

/**
 * Names why a connection to Kafka failed (authentication, TLS verification, a listener that closes the
 * connection, unreachable), or returns the error unchanged when it is something else.
 */
export function describeKafkaConnectionError(error: unknown, config: KafkaConfig): unknown {
  if (error instanceof KafkaConnectionError) return error;
  const errors = chain(error);
  const brokers = config.brokers.join(',');
  const names = errors.map((e) => String(e.name ?? ''));
  if (names.includes('KafkaJSSASLAuthenticationError')) {
    const who = config.sasl
      ? `user '${config.sasl.username}' (${config.sasl.mechanism.toUpperCase()})`
      : 'this client';
    return new KafkaConnectionError(
      'FRESHET_KAFKA_AUTH_FAILED',
      `Kafka authentication failed for ${who} at ${brokers}: check FRESHET_KAFKA_SASL_USERNAME, FRESHET_KAFKA_SASL_PASSWORD(_FILE) and FRESHET_KAFKA_SASL_MECHANISM`,
      { cause: error },
    );
  }
  const tls = errors.find((e) => typeof e.code === 'string' && TLS_VERIFY_CODES.has(e.code));
  if (tls) {
    return new KafkaConnectionError(
      'FRESHET_KAFKA_TLS_FAILED',
      `TLS verification of the Kafka broker at ${brokers} failed (${String(tls.code)}: ${String(tls.message)}): ` +
        `give the CA that signed the broker's certificate in FRESHET_KAFKA_SSL_CA_FILE`,
      { cause: error },
    );
  }
  if (names.includes('KafkaJSConnectionClosedError')) {
    return new KafkaConnectionError(
      'FRESHET_KAFKA_CONNECTION_CLOSED',
      `the Kafka broker at ${brokers} closed the connection before answering: ` +
        (config.ssl
          ? 'check that this listener speaks TLS and the SASL settings (FRESHET_KAFKA_SASL_MECHANISM) it expects'
          : 'a TLS listener does this to a plaintext client (set FRESHET_KAFKA_SSL=true)'),
      { cause: error },
    );
  }
  const socket = errors.find(
    (e) => e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT',
  );
  if (
    socket ||
    names.includes('KafkaJSConnectionError') ||
    names.includes('KafkaJSNumberOfRetriesExceeded')
  ) {
    const last = errors.at(-1);
    return new KafkaConnectionError(
      'FRESHET_KAFKA_UNREACHABLE',
      `cannot connect to Kafka at ${brokers} (${String(last?.message ?? 'unknown error')}): check FRESHET_KAFKA_BROKERS`,
      { cause: error },
    );
  }
  return error;
}
