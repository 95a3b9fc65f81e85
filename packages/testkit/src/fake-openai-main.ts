#!/usr/bin/env node
import { startFakeOpenAI } from './fake-openai.js';
// Starts the fake OpenAI embeddings server for the demo and the benchmarks, configured from env:
//   FAKE_OPENAI_PORT (default 0 = any free port), FAKE_OPENAI_HOST (default 127.0.0.1),
//   FAKE_OPENAI_LATENCY_MS (a fixed delay, or "min-max"), FAKE_OPENAI_API_KEY (require this Bearer key).
// Prints the base URL (ending in /v1) as its first stdout line; faults and counters via /_control.
import type { Fault } from './faults.js';

function fail(message: string): never {
  process.stderr.write(`fake-openai: ${message}\n`);
  process.exit(2);
}

function latency(raw: string | undefined): Fault | null {
  if (raw === undefined || raw === '') return null;
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(raw);
  if (range) return { kind: 'latency', ms: { min: Number(range[1]), max: Number(range[2]) } };
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0)
    fail(`FAKE_OPENAI_LATENCY_MS must be ms ≥ 0 or "min-max", got "${raw}"`);
  return { kind: 'latency', ms };
}

const portText = process.env.FAKE_OPENAI_PORT ?? '0';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`FAKE_OPENAI_PORT must be a port, got "${portText}"`);
const fault = latency(process.env.FAKE_OPENAI_LATENCY_MS);

const server = await startFakeOpenAI({
  port,
  host: process.env.FAKE_OPENAI_HOST ?? '127.0.0.1',
  apiKey: process.env.FAKE_OPENAI_API_KEY || null,
  faults: fault ? [fault] : [],
});
process.stdout.write(`${server.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
