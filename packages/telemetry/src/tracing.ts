import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

// The SDK and its exporter load only when tracing is on: off (the default) they would cost every stage
// ~10 MB of RSS for nothing (README, Memory). Their CommonJS builds, since startTracing is synchronous.
function sdkModules() {
  const require = createRequire(import.meta.url);
  const load = <T>(name: string) => require(name) as T;
  const { OTLPTraceExporter } = load<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
    '@opentelemetry/exporter-trace-otlp-http',
  );
  const { resourceFromAttributes } =
    load<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
  const { NodeSDK } = load<typeof import('@opentelemetry/sdk-node')>('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = load<typeof import('@opentelemetry/sdk-trace-base')>(
    '@opentelemetry/sdk-trace-base',
  );
  const { ATTR_SERVICE_NAME } = load<typeof import('@opentelemetry/semantic-conventions')>(
    '@opentelemetry/semantic-conventions',
  );
  return { OTLPTraceExporter, resourceFromAttributes, NodeSDK, BatchSpanProcessor, ATTR_SERVICE_NAME };
}

export interface TracingOptions {
  service: string;
  namespace: string;
  /** OTLP/HTTP base endpoint (e.g. http://otel-collector:4318); tracing is off without it or an exporter. */
  otlpEndpoint?: string | undefined;
  /** For tests: an in-memory exporter instead of OTLP. */
  exporter?: SpanExporter;
}

export interface Tracing {
  enabled: boolean;
  shutdown(): Promise<void>;
}

/** Starts @opentelemetry/sdk-node when an endpoint (or exporter) is configured; off by default. */
// Whether an SDK was started in this process: until then the global tracer is the API's no-op one, and a
// record's span can be skipped (see startRecordSpan). Never reset: the full path is correct either way.
let sdkStarted = false;

export function startTracing(options: TracingOptions): Tracing {
  if (!options.exporter && !options.otlpEndpoint) return { enabled: false, shutdown: async () => {} };
  const { OTLPTraceExporter, resourceFromAttributes, NodeSDK, BatchSpanProcessor, ATTR_SERVICE_NAME } =
    sdkModules();
  const exporter =
    options.exporter ??
    new OTLPTraceExporter({ url: `${options.otlpEndpoint!.replace(/\/$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      'service.namespace': options.namespace,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
    // Kafka spans are created by hand from record headers; auto-instrumentation would add noise and cost.
    instrumentations: [],
  });
  sdk.start();
  sdkStarted = true;
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

/** Whether this process exports traces (startTracing was given an endpoint). */
export function isTracing(): boolean {
  return sdkStarted;
}

export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

// The W3C propagator is used directly, not through the global API, so `traceparent` flows through a
// stage unchanged even when tracing is off (DESIGN §2: every message carries traceparent).
const propagator = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

export function contextFromHeaders(headers: KafkaHeaders | undefined): Context {
  return headers ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

export function headersFromContext(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  propagator.inject(ctx, out, headerSetter);
  return out;
}

export interface RecordSpan {
  span: Span;
  /** `traceparent` (and `tracestate`) for the record this stage produces from the consumed one. */
  outgoing: Record<string, string>;
  end(error?: unknown): void;
}

/** A span per consumed record, child of the record's `traceparent`, so one trace spans all stages. */
export function startRecordSpan(
  stage: string,
  name: string,
  headers: KafkaHeaders | undefined,
  attributes: Attributes = {},
): RecordSpan {
  if (!sdkStarted) return untracedRecord(headers);
  const parent = contextFromHeaders(headers);
  const span = trace
    .getTracer(`freshet-${stage}`)
    .startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  const outgoing = orFreshTraceparent(headersFromContext(trace.setSpan(parent, span)));
  return {
    span,
    outgoing,
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : new Error(String(error)));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

// The API's no-op tracer would start a span carrying the parent's context and nothing else, so with no SDK
// the outgoing headers are the parent's traceparent (or a fresh one), made only when asked for (the writer
// never asks): per record that was a tracer, a span, two contexts and two header objects for nothing.
const UNTRACED_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

function untracedRecord(headers: KafkaHeaders | undefined): RecordSpan {
  let outgoing: Record<string, string> | undefined;
  return {
    span: UNTRACED_SPAN,
    get outgoing() {
      if (outgoing === undefined) outgoing = untracedHeaders(headers);
      return outgoing;
    },
    end() {},
  };
}

// A canonical version-00 traceparent: what the W3C propagator writes back unchanged (lower-case hex,
// non-zero ids, flags below 0x10, nothing after them).
const CANONICAL_TRACEPARENT = /^00-(?!0{32})[\da-f]{32}-(?!0{16})[\da-f]{16}-0[\da-f]$/;

/**
 * The outgoing headers of a record when tracing is off: its own `traceparent` passed on, or a fresh one.
 * A canonical traceparent with no tracestate (every record freshet makes) is passed on as it is, which is
 * what extracting and injecting it through the propagator gives, without its contexts and regex groups
 * per record; anything else goes through the propagator.
 */
export function untracedHeaders(headers: KafkaHeaders | undefined): Record<string, string> {
  if (headers !== undefined && headers.tracestate === undefined) {
    const value = headers.traceparent;
    const first = Array.isArray(value) ? value[0] : value;
    const traceparent = first === undefined ? undefined : first.toString();
    if (traceparent !== undefined && CANONICAL_TRACEPARENT.test(traceparent)) return { traceparent };
  }
  return orFreshTraceparent(headersFromContext(contextFromHeaders(headers)));
}

/** `outgoing`, or, when it has no traceparent (no valid incoming context), a fresh random one: the header contract. */
function orFreshTraceparent(outgoing: Record<string, string>): Record<string, string> {
  return outgoing.traceparent
    ? outgoing
    : headersFromContext(trace.setSpanContext(ROOT_CONTEXT, randomSpanContext()));
}

export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

// Random ids come from a pooled crypto buffer: a getRandomValues call and a byte-by-byte hex string per
// record was the router's largest single cost after GC (every input record without a traceparent).
const RANDOM_POOL_BYTES = 4096;
let randomPool: Buffer = Buffer.alloc(0);
let randomAt = 0;

function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomAt = 0;
  }
  const hex = randomPool.toString('hex', randomAt, randomAt + bytes);
  randomAt += bytes;
  return hex;
}

function randomSpanContext() {
  return { traceId: randomHex(16), spanId: randomHex(8), traceFlags: 0 };
}
