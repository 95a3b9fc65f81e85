import type { RegistryOptions } from '@freshet/schemas';
import type { ReadinessCheck } from '@freshet/telemetry';

/**
 * Ready only while the schema registry answers: without it no new schema id can be decoded and the
 * router would be retrying batches. A short timeout, because probes have their own (1 s by default).
 */
export function registryReadiness(registry: RegistryOptions, timeoutMs = 900): ReadinessCheck {
  const url = `${registry.url.replace(/\/+$/, '')}/config`;
  const headers: Record<string, string> = {};
  if (registry.username !== undefined && registry.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  }
  return {
    name: 'registry',
    async check() {
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        return res.ok ? { ok: true } : { ok: false, detail: `GET ${url}: HTTP ${res.status}` };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return {
          ok: false,
          detail: `GET ${url}: ${cause ?? (error instanceof Error ? error.message : String(error))}`,
        };
      }
    },
  };
}
