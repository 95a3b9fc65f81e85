import { type FastifyError, type FastifyReply, type FastifyRequest, fastify } from 'fastify';
import {
  type EmbeddingsRequest,
  type EncodingFormat,
  OPENAI_LIMITS,
  openAIError,
  parseEmbeddingsRequest,
  type RequestLimits,
} from './embeddings-request.js';
import { fakeEmbedding, vectorToBase64 } from './fake-vector.js';
import {
  type ActiveFault,
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  FaultPlan,
  InvalidFaultError,
  parseFault,
} from './faults.js';

export interface FakeOpenAIOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default; the fake is a test tool. */
  host?: string;
  /** When set, every /v1 call needs `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string | null;
  /** OpenAI's limits and model sizes by default. */
  limits?: Partial<RequestLimits>;
  /** Faults switched on from the start. */
  faults?: readonly Fault[];
  /** Request log entries kept (oldest dropped first). Default 100,000. */
  logLimit?: number;
}

export interface RequestLogEntry {
  /** Arrival, epoch ms. */
  at: number;
  /** Until answered, or until the client gave up. */
  durationMs: number;
  /** HTTP status sent; 0 when the client gave up first (timeout fault, or latency longer than its patience). */
  status: number;
  model: string | null;
  inputs: number;
  /** cl100k tokens of the inputs; billed only when `billed`. */
  tokens: number;
  dimensions: number | null;
  encodingFormat: EncodingFormat | null;
  faults: FaultKind[];
  billed: boolean;
}

export interface FakeOpenAIStats {
  /** POST /v1/embeddings received, whatever became of them. */
  requests: number;
  /** Requests answered with correct embeddings: the ones OpenAI would bill. */
  embedded: number;
  /** Inputs of the billed requests. */
  inputs: number;
  /** `prompt_tokens` billed (cl100k_base, as OpenAI counts). */
  tokens: number;
  /** Billed inputs by text (token-array inputs by their decoded text) → times embedded. */
  texts: Map<string, number>;
  /** Requests touched by each fault kind (latency-only requests are still billed). */
  faults: Record<FaultKind, number>;
  unauthorized: number;
  badRequests: number;
  log: RequestLogEntry[];
}

export type FakeOpenAIStatsSummary = Omit<FakeOpenAIStats, 'texts' | 'log'> & { distinctTexts: number };

export interface FakeOpenAI {
  /** Base URL ending in /v1, as the openai SDK's `baseURL` expects. */
  readonly url: string;
  readonly port: number;
  /** A snapshot (copies): later requests do not change it. */
  stats(): FakeOpenAIStats;
  /** Zeroes the counters, texts and log; faults stay (see clear()). */
  reset(): void;
  /** Switches a fault on (replacing one of the same kind); validated, throws InvalidFaultError. */
  inject(fault: Fault): void;
  /** Switches off one kind of fault, or all. */
  clear(kind?: FaultKind): void;
  activeFaults(): ActiveFault[];
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

/** Body of POST /_control: reset, then clear, then inject. */
export interface ControlCommand {
  reset?: boolean;
  clear?: true | FaultKind | FaultKind[];
  inject?: Fault | Fault[];
}

const emptyFaults = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

const MODEL_CREATED = 1_705_953_180; // a fixed date: /v1/models answers are deterministic

/**
 * A fake OpenAI embeddings API over real HTTP: OpenAI's request/answer/error shapes, deterministic
 * vectors, exact token accounting and runtime fault injection (typed API or POST /_control).
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const limits: RequestLimits = { ...OPENAI_LIMITS, ...options.limits };
  const apiKey = options.apiKey ?? null;
  const logLimit = options.logLimit ?? 100_000;
  const plan = new FaultPlan();
  for (const fault of options.faults ?? []) plan.inject(fault);
  const closing = new AbortController();

  let stats = fresh();
  function fresh(): FakeOpenAIStats {
    return {
      requests: 0,
      embedded: 0,
      inputs: 0,
      tokens: 0,
      texts: new Map(),
      faults: emptyFaults(),
      unauthorized: 0,
      badRequests: 0,
      log: [],
    };
  }
  function record(entry: RequestLogEntry): void {
    stats.log.push(entry);
    if (stats.log.length > logLimit) stats.log.splice(0, stats.log.length - logLimit);
  }
  function summary(): FakeOpenAIStatsSummary {
    const { texts, log: _log, faults, ...counts } = stats;
    return { ...counts, faults: { ...faults }, distinctTexts: texts.size };
  }

  // The SDK and the embedder send up to 2048 long inputs per request: far beyond fastify's 1 MiB default.
  const app = fastify({ logger: false, bodyLimit: 256 * 1024 * 1024, forceCloseConnections: true });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (request.routeOptions.url === '/v1/embeddings') {
      stats.badRequests += 1;
      record(entryFor(Date.now(), error.statusCode ?? 400));
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    return reply
      .status(status)
      .send(openAIError(error.message, status >= 500 ? 'server_error' : 'invalid_request_error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(openAIError(`Invalid URL (${request.method} ${request.url})`, 'invalid_request_error')),
  );

  function authorized(request: FastifyRequest, reply: FastifyReply): boolean {
    if (apiKey === null) return true;
    const header = request.headers.authorization;
    if (header === `Bearer ${apiKey}`) return true;
    const body =
      header === undefined
        ? openAIError(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            'invalid_request_error',
          )
        : openAIError('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
    void reply.status(401).send(body);
    return false;
  }

  app.post(
    '/v1/embeddings',
    {
      onRequest: async () => {
        stats.requests += 1;
      },
    },
    async (request, reply) => {
      const at = Date.now();
      if (!authorized(request, reply)) {
        stats.unauthorized += 1;
        record(entryFor(at, 401));
        return reply;
      }
      const parsed = parseEmbeddingsRequest(request.body, limits);
      if (!parsed.ok) {
        stats.badRequests += 1;
        record(entryFor(at, 400));
        return reply.status(400).send(parsed.error);
      }
      const req = parsed.request;
      const fate = plan.decide(req.dimensions);
      for (const kind of fate.applied) stats.faults[kind] += 1;
      const log = (status: number, billed: boolean): void =>
        record({ ...entryFor(at, status, req), faults: fate.applied, billed });

      if (fate.delayMs > 0 && !(await waitForClose(reply, closing.signal, fate.delayMs))) {
        log(0, false);
        reply.hijack();
        return;
      }
      switch (fate.outcome.kind) {
        case 'timeout':
          // Accept and never answer; the socket goes when the client gives up or close() destroys it.
          reply.hijack();
          await waitForClose(reply, closing.signal, null);
          log(0, false);
          return;
        case 'status429': {
          const { retryAfterSeconds, resetRequests } = fate.outcome;
          log(429, false);
          return reply
            .status(429)
            .headers({
              'retry-after': String(retryAfterSeconds),
              'x-ratelimit-limit-requests': '3000',
              'x-ratelimit-remaining-requests': '0',
              'x-ratelimit-reset-requests': resetRequests,
            })
            .send(
              openAIError(
                `Rate limit reached for ${req.model} on requests per min (RPM): Limit 3000, Used 3000, Requested 1. Please try again in ${resetRequests}.`,
                'requests',
                'requests',
                'rate_limit_exceeded',
              ),
            );
        }
        case 'status5xx':
        case 'failRate': {
          const status = fate.outcome.kind === 'status5xx' ? fate.outcome.status : 500;
          log(status, false);
          return reply.status(status).send(serverError(status));
        }
        case 'ok':
          break;
      }
      const dimensions = fate.wrongDimensions ?? req.dimensions;
      const billed = fate.wrongDimensions === null;
      let promptTokens = 0;
      const data = req.inputs.map((input, index) => {
        promptTokens += input.tokens;
        const vector = fakeEmbedding(input.text, dimensions, req.model);
        return {
          object: 'embedding' as const,
          index,
          embedding: req.encodingFormat === 'base64' ? vectorToBase64(vector) : Array.from(vector),
        };
      });
      // Counted before the answer leaves, so a client that has its answer always sees it in stats().
      if (billed) {
        stats.embedded += 1;
        stats.inputs += req.inputs.length;
        stats.tokens += promptTokens;
        for (const input of req.inputs) stats.texts.set(input.text, (stats.texts.get(input.text) ?? 0) + 1);
      }
      log(200, billed);
      return reply
        .header('openai-model', req.model)
        .header('openai-processing-ms', String(Date.now() - at))
        .header('x-request-id', `req_fake_${stats.requests}`)
        .send({
          object: 'list',
          data,
          model: req.model,
          usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
        });
    },
  );

  const modelList = () => {
    const ids = Object.keys(limits.modelDimensions);
    return ids.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'system' }));
  };
  app.get('/v1/models', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    return { object: 'list', data: modelList() };
  });
  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const model = modelList().find((m) => m.id === request.params.id);
    if (!model) {
      return reply
        .status(404)
        .send(
          openAIError(
            `The model '${request.params.id}' does not exist`,
            'invalid_request_error',
            'model',
            'model_not_found',
          ),
        );
    }
    return model;
  });

  // For a separate process (demo, benchmarks) to read the counters and flip faults.
  const controlState = (query: { texts?: string; log?: string }) => ({
    active: plan.active(),
    stats: summary(),
    ...(query.texts !== undefined ? { texts: [...stats.texts] } : {}),
    ...(query.log !== undefined ? { log: stats.log } : {}),
  });
  app.get<{ Querystring: { texts?: string; log?: string } }>('/_control', async (request) =>
    controlState(request.query),
  );
  app.post<{ Querystring: { texts?: string; log?: string } }>('/_control', async (request, reply) => {
    try {
      applyControl(parseControl(request.body));
    } catch (error) {
      if (!(error instanceof InvalidFaultError)) throw error;
      return reply.status(400).send(openAIError(error.message, 'invalid_request_error', null, error.code));
    }
    return controlState(request.query);
  });

  function applyControl(command: ControlCommand): void {
    if (command.reset) stats = fresh();
    if (command.clear === true) plan.clear();
    else if (command.clear !== undefined) for (const kind of [command.clear].flat()) plan.clear(kind);
    if (command.inject !== undefined) for (const fault of [command.inject].flat()) plan.inject(fault);
  }

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('fake OpenAI server has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    stats: () => ({
      ...stats,
      texts: new Map(stats.texts),
      faults: { ...stats.faults },
      log: stats.log.map((e) => ({ ...e, faults: [...e.faults] })),
    }),
    reset: () => {
      stats = fresh();
    },
    inject: (fault) => plan.inject(fault),
    clear: (kind) => plan.clear(kind),
    activeFaults: () => plan.active(),
    close: async () => {
      closing.abort();
      await app.close();
    },
  };
}

function entryFor(at: number, status: number, req?: EmbeddingsRequest): RequestLogEntry {
  return {
    at,
    durationMs: Date.now() - at,
    status,
    model: req?.model ?? null,
    inputs: req?.inputs.length ?? 0,
    tokens: req?.inputs.reduce((sum, i) => sum + i.tokens, 0) ?? 0,
    dimensions: req?.dimensions ?? null,
    encodingFormat: req?.encodingFormat ?? null,
    faults: [],
    billed: false,
  };
}

function serverError(status: number) {
  if (status === 503) {
    return openAIError(
      'The engine is currently overloaded, please try again later.',
      'server_error',
      null,
      'service_unavailable',
    );
  }
  if (status === 502) return openAIError('Bad gateway.', 'server_error', null, 'bad_gateway');
  return openAIError(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null,
    null,
  );
}

/**
 * Resolves true after `ms` (never when null), or false as soon as the client's socket closes or the
 * server is closing: a delayed or hung request never outlives its connection.
 */
function waitForClose(reply: FastifyReply, closing: AbortSignal, ms: number | null): Promise<boolean> {
  return new Promise((resolve) => {
    const res = reply.raw;
    let timer: NodeJS.Timeout | undefined;
    const finish = (completed: boolean) => {
      if (timer) clearTimeout(timer);
      res.off('close', onClose);
      closing.removeEventListener('abort', onClose);
      resolve(completed);
    };
    const onClose = () => finish(false);
    if (res.destroyed || closing.aborted) return resolve(false);
    res.once('close', onClose);
    closing.addEventListener('abort', onClose, { once: true });
    if (ms !== null) timer = setTimeout(() => finish(true), ms);
  });
}

/** Validates a POST /_control body; throws InvalidFaultError. */
export function parseControl(body: unknown): ControlCommand {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidFaultError('the control body is an object: { reset?, clear?, inject? }');
  }
  const { reset, clear, inject, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new InvalidFaultError(`unknown control fields: ${unknown.join(', ')}`);
  const command: ControlCommand = {};
  if (reset !== undefined) {
    if (typeof reset !== 'boolean') throw new InvalidFaultError('reset is a boolean');
    command.reset = reset;
  }
  if (clear !== undefined) {
    const kinds = clear === true ? null : [clear].flat();
    if (kinds !== null && !kinds.every((k) => (FAULT_KINDS as readonly unknown[]).includes(k))) {
      throw new InvalidFaultError(`clear is true or fault kinds among ${FAULT_KINDS.join(', ')}`);
    }
    command.clear = kinds === null ? true : (kinds as FaultKind[]);
  }
  if (inject !== undefined) command.inject = [inject].flat().map(parseFault);
  return command;
}
