import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  /** Resolves true when ready; a message explains why not. */
  check(): Promise<{ ok: boolean; detail?: string }> | { ok: boolean; detail?: string };
}

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: ReadinessCheck[];
}

export interface HealthServer {
  url: string;
  port: number;
  /** Adds checks once what they check exists (the server starts before the stage's clients). */
  addReadiness(...checks: ReadinessCheck[]): void;
  /** Marks the process as shutting down: /readyz answers 503 so no traffic is sent to it. */
  draining(): void;
  close(): Promise<void>;
}

/** /healthz (process alive), /readyz (dependencies and assignment), /metrics (Prometheus text). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const app: FastifyInstance = Fastify({ logger: false });
  let isDraining = false;
  const readiness = [...options.readiness];

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (isDraining) return reply.code(503).send({ status: 'draining', checks: {} });
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    await Promise.all(
      readiness.map(async (r) => {
        try {
          checks[r.name] = await r.check();
        } catch (error) {
          checks[r.name] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    port,
    addReadiness: (...checks) => {
      readiness.push(...checks);
    },
    draining: () => {
      isDraining = true;
    },
    close: () => app.close(),
  };
}
