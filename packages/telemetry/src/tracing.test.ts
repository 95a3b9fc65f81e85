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
