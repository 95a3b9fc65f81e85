import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { KafkaConfig } from '@freshet/config';
import {
  describeKafkaConnectionError,
  KafkaConnectionError as FreshetConnectionError,
} from './connection-errors.js';

// kafkajs is CommonJS and spreads its error classes into module.exports, which ESM named imports miss.
type ErrorClass<M> = new (e: Error | string, metadata: M) => Error;
const {
  KafkaJSConnectionError,
  KafkaJSConnectionClosedError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSSASLAuthenticationError,
} = createRequire(import.meta.url)('kafkajs') as {
  KafkaJSConnectionError: ErrorClass<{ broker: string; code: string }>;
  KafkaJSConnectionClosedError: ErrorClass<{ host: string; port: number }>;
  KafkaJSNumberOfRetriesExceeded: ErrorClass<{ retryCount: number; retryTime: number }>;
  KafkaJSSASLAuthenticationError: ErrorClass<Record<string, never>>;
};

const PASSWORD = 'hunter2-sentinel';
const secured: KafkaConfig = {
  brokers: ['kafka-1.example.com:9094'],
  clientId: 'test',
  ssl: { rejectUnauthorized: true },
  sasl: { mechanism: 'scram-sha-512', username: 'svc-freshet', password: PASSWORD },
  connectionTimeoutMs: 3000,
  sessionTimeoutMs: 30000,
  heartbeatIntervalMs: 3000,
};
const plaintext: KafkaConfig = { ...secured, ssl: false };
delete (plaintext as { sasl?: unknown }).sasl;

/** What kafkajs throws after its retries: the last socket error wrapped in "retries exceeded". */
function afterRetries(cause: Error): Error {
  return new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 8, retryTime: 5000 });
}

function described(error: unknown, config = secured): FreshetConnectionError {
  const named = describeKafkaConnectionError(error, config);
  assert.ok(named instanceof FreshetConnectionError, `named: ${String(named)}`);
  assert.ok(!named.message.includes(PASSWORD), 'the password is never in the message');
  return named;
}

test('a SASL rejection is FRESHET_KAFKA_AUTH_FAILED naming the user and mechanism, not the password', () => {
  const e = described(new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed', {}));
  assert.equal(e.code, 'FRESHET_KAFKA_AUTH_FAILED');
  assert.match(
    e.message,
    /authentication failed for user 'svc-freshet' \(SCRAM-SHA-512\) at kafka-1\.example\.com:9094/,
  );
  assert.match(e.message, /FRESHET_KAFKA_SASL_PASSWORD/);
});

test('an untrusted or mismatched certificate is FRESHET_KAFKA_TLS_FAILED with Node’s reason', () => {
  for (const code of [
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ]) {
    const socket = new KafkaJSConnectionError('Connection error: certificate problem', {
      broker: 'kafka-1.example.com:9094',
      code,
    });
    const e = described(afterRetries(socket));
    assert.equal(e.code, 'FRESHET_KAFKA_TLS_FAILED');
    assert.match(e.message, new RegExp(`TLS verification of the Kafka broker at \\S+ failed \\(${code}`));
    assert.match(e.message, /FRESHET_KAFKA_SSL_CA_FILE/);
  }
});

test('a closed connection says which side of TLS is likely wrong', () => {
  const closed = new KafkaJSConnectionClosedError('Closed connection', { host: '127.0.0.1', port: 9094 });
  const plain = described(afterRetries(closed), plaintext);
  assert.equal(plain.code, 'FRESHET_KAFKA_CONNECTION_CLOSED');
  assert.match(plain.message, /set FRESHET_KAFKA_SSL=true/);
  const tls = described(afterRetries(closed));
  assert.match(tls.message, /speaks TLS/);
});

test('a refused connection is FRESHET_KAFKA_UNREACHABLE; anything else is returned unchanged', () => {
  const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9', {
    broker: '127.0.0.1:9',
    code: 'ECONNREFUSED',
  });
  assert.equal(described(afterRetries(refused)).code, 'FRESHET_KAFKA_UNREACHABLE');
  const other = new Error('topic layout differs');
  assert.equal(describeKafkaConnectionError(other, secured), other);
  const once = described(new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed', {}));
  assert.equal(describeKafkaConnectionError(once, secured), once, 'already named: unchanged');
});
