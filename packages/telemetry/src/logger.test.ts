import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './logger.js';

const SECRETS = {
  apiKey: 'sk-unit-sentinel-0a1b2c3d',
  sasl: 'sasl-unit-sentinel-pw',
  registry: 'registry-unit-sentinel-pw',
  milvus: 'milvus-unit-sentinel-token',
};

test('secrets never reach the output: config fields, free text, error messages and literal values', async () => {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({
    service: 'unit',
    destination: out,
    secrets: [SECRETS.apiKey, SECRETS.sasl, SECRETS.registry, SECRETS.milvus],
  });
  // The shape every service logs at start (`{ config }`).
  logger.info(
    {
      config: {
        embedding: { apiKey: SECRETS.apiKey, model: 'm' },
        kafka: { sasl: { mechanism: 'plain', username: 'u', password: SECRETS.sasl } },
        registry: { url: 'http://r', username: 'u', password: SECRETS.registry },
        milvus: { address: 'a', token: SECRETS.milvus },
      },
    },
    'starting',
  );
  logger.error({ err: new Error(`401 for Authorization: Bearer ${SECRETS.apiKey}`) }, 'request failed');
  logger.warn(`retrying with key ${SECRETS.apiKey} and token ${SECRETS.milvus}`);
  logger.info({ headers: { authorization: `Basic ${SECRETS.registry}` } }, 'headers');
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const text = chunks.join('');
  const lines = text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 4);
  for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `leaked ${secret}`);
  const start = JSON.parse(lines[0]!) as {
    config: { kafka: { sasl: { password: string; username: string } } };
  };
  assert.equal(start.config.kafka.sasl.password, '[REDACTED]');
  assert.equal(start.config.kafka.sasl.username, 'u', 'non-secret fields stay readable');
  assert.match(text, /Bearer \[REDACTED\]/);
});
