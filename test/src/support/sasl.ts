import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from '@freshet/config';
import { isListening } from './ports.js';

/** The local broker's SASL_SSL listener as deploy/local/up describes it in `$FRESHET_STATE/kafka-sasl.env`. */
export interface SaslListener {
  /** The FRESHET_KAFKA_* variables a stage or the CLI needs for it. */
  env: Record<string, string>;
  /** The same, as a client config for the test's own Kafka connection. */
  connection: Partial<KafkaConfig>;
  username: string;
  password: string;
  caFile: string;
}

function stateDir(): string {
  if (process.env.FRESHET_STATE) return process.env.FRESHET_STATE;
  const cache =
    process.env.FRESHET_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'freshet');
  return join(cache, 'state');
}

/**
 * Reads the listener's settings (`FRESHET_TEST_KAFKA_SASL_ENV` names another such file, e.g. for a remote
 * cluster); fails with what to run when the broker has no SASL_SSL listener.
 */
export async function saslListener(): Promise<SaslListener> {
  const file = process.env.FRESHET_TEST_KAFKA_SASL_ENV ?? join(stateDir(), 'kafka-sasl.env');
  const restart = 'run deploy/local/up kafka (it restarts a broker started without that listener)';
  if (!existsSync(file))
    throw new Error(`${file} is missing: the local broker has no SASL_SSL listener; ${restart}`);
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(FRESHET_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  const broker = env.FRESHET_KAFKA_BROKERS ?? '';
  const port = Number(/:(\d+)$/.exec(broker)?.[1]);
  if (!(await isListening(port))) throw new Error(`nothing listens on ${broker} (SASL_SSL); ${restart}`);
  const password = env.FRESHET_KAFKA_SASL_PASSWORD ?? '';
  const caFile = env.FRESHET_KAFKA_SSL_CA_FILE ?? '';
  const username = env.FRESHET_KAFKA_SASL_USERNAME ?? '';
  return {
    env,
    username,
    password,
    caFile,
    connection: {
      brokers: [broker],
      ssl: { caFile, rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username, password },
    },
  };
}

/** A CA of its own (openssl) that did not sign the broker's certificate. */
export function untrustedCa(dir: string): string {
  const cert = join(dir, 'other-ca.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=not the freshet CA',
      '-keyout',
      join(dir, 'other-ca.key'),
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return cert;
}
