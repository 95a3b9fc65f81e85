// Test support only (not exported from index.ts): a minimal OpenAI-compatible /v1/embeddings server
// on 127.0.0.1 whose answers each test scripts. The full fake API with token accounting lives in
// packages/testkit; this one stays small so the package tests depend on nothing else.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countTokens } from './tokenizer.js';

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  encoding_format?: 'base64' | 'float';
  dimensions?: number;
}

export interface RecordedRequest {
  body: EmbeddingsRequest;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export type Responder = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface FakeEmbeddingServer {
  /** Base URL including /v1, as the SDK expects. */
  baseURL: string;
  requests: RecordedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

/** A deterministic vector per text, so tests can tell which input a vector belongs to. */
export function vectorFor(text: string, dimension: number): number[] {
  let seed = 0;
  for (const c of text) seed = (seed * 31 + c.codePointAt(0)!) >>> 0;
  return Array.from({ length: dimension }, (_, i) => ((seed + i * 7919) % 1000) / 1000);
}

/** A 200 answer in the format the request asked for (base64 little-endian float32 by default). */
export function ok(
  request: RecordedRequest,
  dimension: number,
  overrides: { format?: 'base64' | 'float'; promptTokens?: number | null } = {},
): Reply {
  const format = overrides.format ?? request.body.encoding_format ?? 'float';
  // Billed as OpenAI bills: the inputs' cl100k tokens, unless the test sets a number or leaves usage out (null).
  const billed =
    overrides.promptTokens === undefined
      ? request.body.input.reduce((sum, text) => sum + countTokens(text), 0)
      : overrides.promptTokens;
  return {
    body: {
      object: 'list',
      model: request.body.model,
      data: request.body.input.map((text, index) => {
        const vector = vectorFor(text, dimension);
        return {
          object: 'embedding',
          index,
          embedding:
            format === 'base64' ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector,
        };
      }),
      ...(billed === null ? {} : { usage: { prompt_tokens: billed, total_tokens: billed } }),
    },
  };
}

export async function startFakeEmbeddingServer(respond: Responder): Promise<FakeEmbeddingServer> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const state: FakeEmbeddingServer = {
    baseURL: '',
    requests: [],
    respond,
    close: async () => {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const request: RecordedRequest = {
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmbeddingsRequest,
      headers: req.headers,
      at: performance.now(),
    };
    state.requests.push(request);
    const reply = await state.respond(request, state.requests.length - 1);
    if (reply.hang) {
      hanging.add(res);
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** An error body shaped like OpenAI's. */
export function apiError(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { error: { message, type: 'test_error', code: null } } };
}
