import { readFileSync } from 'node:fs';
import type { KafkaConfig } from '@freshet/config';
import type { Logger } from '@freshet/telemetry';
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel, type SASLOptions } from 'kafkajs';
import { quietNegativeTimeoutWarnings } from './timer-warning.js';

/** A kafkajs client from validated config, logging through pino. */
export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  quietNegativeTimeoutWarnings();
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: 30000,
    // kafkajs' own retries are short; stages retry around it with their own backoff and metrics.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const log = logger.child({ kafka: entry.namespace });
      if (entry.level === logLevel.ERROR) log.error(extra, message);
      else if (entry.level === logLevel.WARN) log.warn(extra, message);
      else log.debug(extra, message);
    },
  };
  if (config.ssl) {
    options.ssl = {
      rejectUnauthorized: config.ssl.rejectUnauthorized,
      ...(config.ssl.caFile ? { ca: [readFileSync(config.ssl.caFile, 'utf8')] } : {}),
    };
  }
  if (config.sasl) {
    options.sasl = {
      mechanism: config.sasl.mechanism,
      username: config.sasl.username,
      password: config.sasl.password,
    } as SASLOptions;
  }
  return new Kafka(options);
}
