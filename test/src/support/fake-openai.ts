import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { countTokens } from '@freshet/embedding';

export interface FakeOpenAI {
  url: string;
  stats(): { requests: number; inputs: number; tokens: number; texts: Map<string, number> };
  /** Every request answers `status` (with Retry-After when 429) until cleared. */
  fail(status: number | null, retryAfterSeconds?: number): void;
  /** A request holding a text `refuse` matches answers 400 (the input is bad) until cleared with null. */
  refuse(match: ((text: string) => boolean) | null): void;
  close(): Promise<void>;
}

/** A deterministic OpenAI-compatible /v1/embeddings server that counts inputs and tokens. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  let requests = 0;
  let inputs = 0;
  let tokens = 0;
  const texts = new Map<string, number>();
  let failing: { status: number; retryAfter?: number } | null = null;
  let refusing: ((text: string) => boolean) | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing) {
        res.writeHead(failing.status, {
          'content-type': 'application/json',
          ...(failing.retryAfter !== undefined ? { 'retry-after': String(failing.retryAfter) } : {}),
        });
        res.end(
          JSON.stringify({ error: { message: 'injected', type: 'server_error', param: null, code: null } }),
        );
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        input: string | string[];
        model: string;
        dimensions?: number;
        encoding_format?: string;
      };
      const list = Array.isArray(body.input) ? body.input : [body.input];
      if (refusing && list.some(refusing)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: 'input refused', type: 'invalid_request_error', param: 'input', code: null },
          }),
        );
        return;
      }
      const dim = body.dimensions ?? 1536;
      requests++;
      let promptTokens = 0;
      const data = list.map((text, index) => {
        inputs++;
        promptTokens += countTokens(text);
        texts.set(text, (texts.get(text) ?? 0) + 1);
        const vector = deterministicVector(text, dim);
        const embedding =
          body.encoding_format === 'base64'
            ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
            : Array.from(vector);
        return { object: 'embedding', index, embedding };
      });
      tokens += promptTokens;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data,
          model: body.model,
          usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats: () => ({ requests, inputs, tokens, texts: new Map(texts) }),
    fail(status, retryAfterSeconds) {
      failing =
        status === null
          ? null
          : { status, ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) };
    },
    refuse(match) {
      refusing = match;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function deterministicVector(text: string, dim: number): Float32Array {
  const out = new Float32Array(dim);
  let seed = createHash('sha256').update(text).digest();
  for (let i = 0; i < dim; i++) {
    if (i % 8 === 0 && i > 0) seed = createHash('sha256').update(seed).digest();
    out[i] = seed.readInt32LE((i % 8) * 4) / 2 ** 31;
  }
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dim; i++) out[i] = out[i]! / norm;
  return out;
}
