import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRecordingModules } from '@freshet/testkit';

test('with tracing off a stage never loads the OpenTelemetry SDK or its exporter; on, it does', () => {
  // Every module the child resolves, imported or required.
  const out = runRecordingModules<{
    offEnabled: boolean;
    offLoaded: number;
    onEnabled: boolean;
    onLoaded: number;
  }>(
    `
    const { startTracing } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
    const sdk = () => resolved.filter((u) => u.includes('/sdk-node/') || u.includes('/exporter-trace-otlp-http/')).length;
    const off = startTracing({ service: 'test', namespace: 'freshet' });
    const out = { offEnabled: off.enabled, offLoaded: sdk() };
    const on = startTracing({ service: 'test', namespace: 'freshet', otlpEndpoint: 'http://127.0.0.1:9' });
    Object.assign(out, { onEnabled: on.enabled, onLoaded: sdk() });
    await on.shutdown();
    console.log(JSON.stringify(out));
  `,
    { timeoutMs: 60_000 },
  );
  assert.deepEqual({ enabled: out.offEnabled, loaded: out.offLoaded }, { enabled: false, loaded: 0 });
  assert.equal(out.onEnabled, true);
  assert.ok(out.onLoaded >= 2, JSON.stringify(out));
});

test('untraced records pass a canonical traceparent on as the W3C propagator would, and anything else through it', async () => {
  const { contextFromHeaders, headersFromContext, untracedHeaders } = await import('./tracing.js');
  const viaPropagator = (h: Parameters<typeof untracedHeaders>[0]) =>
    headersFromContext(contextFromHeaders(h));
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const passedOn: Array<Parameters<typeof untracedHeaders>[0]> = [
    { traceparent: tp },
    { traceparent: Buffer.from(tp) },
    { traceparent: [Buffer.from(tp), 'ignored'] },
    { traceparent: tp.replace(/-01$/, '-00') },
    { traceparent: tp.replace(/-01$/, '-0a') },
    // Not canonical: the propagator normalises them (or adds tracestate), and so must this.
    { traceparent: ` ${tp}` },
    { traceparent: `01${tp.slice(2)}-future` },
    { traceparent: tp, tracestate: 'vendor=abc,other=1' },
    { traceparent: tp.replace(/-01$/, '-03'), other: Buffer.from('x') },
  ];
  for (const headers of passedOn) {
    const expected = viaPropagator(headers);
    assert.ok(expected.traceparent, JSON.stringify(headers));
    assert.deepEqual(untracedHeaders(headers), expected, JSON.stringify(headers));
  }
  // No usable traceparent: the propagator gives nothing, so a fresh random one keeps the header contract.
  const fresh = /^00-[\da-f]{32}-[\da-f]{16}-00$/;
  const none: Array<Parameters<typeof untracedHeaders>[0]> = [
    undefined,
    {},
    { traceparent: tp.toUpperCase() },
    { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` },
    { traceparent: `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01` },
    { traceparent: `${tp}-trailing` },
    { traceparent: 'garbage' },
  ];
  for (const headers of none) {
    assert.deepEqual(viaPropagator(headers), {}, JSON.stringify(headers));
    const out = untracedHeaders(headers);
    assert.match(out.traceparent ?? '', fresh, JSON.stringify(headers));
    assert.deepEqual(Object.keys(out), ['traceparent']);
  }
  assert.notEqual(untracedHeaders(undefined).traceparent, untracedHeaders(undefined).traceparent);
});
