import type { RegistryConfig } from '@freshet/config';

/**
 * Sets a subject's compatibility level through the Confluent REST API (`PUT /config/<subject>`), which
 * Confluent, Apicurio's ccompat API and Karapace all serve. The schema-registry client only checks it.
 */
export async function setSubjectCompatibility(
  registry: RegistryConfig,
  subject: string,
  level: 'BACKWARD',
): Promise<void> {
  const base = registry.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
  if (registry.username !== undefined && registry.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  }
  const res = await fetch(`${base}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(10000),
  });
  if (!res.ok) {
    const body = await res.text().catch(() => '');
    throw new Error(
      `registry refused compatibility ${level} for ${subject}: HTTP ${res.status} ${body.slice(0, 300)}`,
    );
  }
}
