import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

// Keys that may hold credentials anywhere in a logged object; pino replaces them before serialising.
export const REDACT_PATHS = [
  'apiKey',
  'password',
  'token',
  'authorization',
  'secret',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.authorization',
  '*.secret',
  '*.*.apiKey',
  '*.*.password',
  '*.*.token',
  '*.*.authorization',
  'headers.authorization',
  'config.embedding.apiKey',
  'config.kafka.sasl.password',
  'config.registry.password',
  'config.milvus.token',
  'FRESHET_EMBEDDING_API_KEY',
  'FRESHET_KAFKA_SASL_PASSWORD',
  'FRESHET_REGISTRY_PASSWORD',
  'FRESHET_MILVUS_TOKEN',
];

// Bearer tokens and sk- keys inside free text (error messages from HTTP clients) are masked too.
const SECRET_IN_TEXT = /(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}|\bsk-[A-Za-z0-9_-]{6,}/g;

export function maskSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_match, bearer: string | undefined) =>
    bearer ? `${bearer}[REDACTED]` : '[REDACTED]',
  );
}

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Extra literal secrets (e.g. the configured API key) to mask wherever they appear. */
  secrets?: ReadonlyArray<string | undefined>;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const literals = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const scrub = (text: string): string => {
    let out = maskSecrets(text);
    for (const secret of literals) out = out.split(secret).join('[REDACTED]');
    return out;
  };
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Last line of defence: secrets inside messages or serialised errors never reach the output.
        streamWrite: scrub,
      },
    },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}
