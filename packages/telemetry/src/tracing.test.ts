import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('with tracing off a stage never loads the OpenTelemetry SDK or its exporter; on, it does', () => {
  // Every module the child resolves, imported or required.
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    const { startTracing } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
    const sdk = () => seen.filter((u) => u.includes('/sdk-node/') || u.includes('/exporter-trace-otlp-http/')).length;
    const off = startTracing({ service: 'test', namespace: 'freshet' });
    const out = { offEnabled: off.enabled, offLoaded: sdk() };
    const on = startTracing({ service: 'test', namespace: 'freshet', otlpEndpoint: 'http://127.0.0.1:9' });
    Object.assign(out, { onEnabled: on.enabled, onLoaded: sdk() });
    await on.shutdown();
    console.log(JSON.stringify(out));
  `;
  const dir = mkdtempSync(join(tmpdir(), 'freshet-tracing-'));
  writeFileSync(join(dir, 'tracing.mjs'), script);
  const child = spawnSync(process.execPath, [join(dir, 'tracing.mjs')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim());
  assert.deepEqual({ enabled: out.offEnabled, loaded: out.offLoaded }, { enabled: false, loaded: 0 });
  assert.equal(out.onEnabled, true);
  assert.ok(out.onLoaded >= 2, JSON.stringify(out));
});
