import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { call } from './errors.js';

export { MilvusClient } from '@zilliz/milvus2-sdk-node';

export interface MilvusOptions {
  address: string;
  token?: string;
  ssl?: boolean;
  /** Per-call deadline in ms. */
  timeoutMs?: number;
}

export function createMilvusClient(options: MilvusOptions): MilvusClient {
  const client = new MilvusClient({
    address: options.address,
    ...(options.token ? { token: options.token } : {}),
    ssl: options.ssl ?? false,
    timeout: options.timeoutMs ?? 15000,
    logLevel: 'error',
  });
  // The constructor connects eagerly; an unreachable server must surface on the first call, not as an
  // unhandled rejection that kills the process.
  (client as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => {});
  return client;
}

/**
 * One cheap real call. Not checkHealth/getVersion: SDK 3.0.6 awaits the constructor's connect promise in
 * those, so a client created while Milvus was down fails them forever, even after Milvus is back.
 */
export async function pingMilvus(client: MilvusClient): Promise<void> {
  await call('listCollections', () => client.listCollections());
}

/**
 * Runs `attempt` until it succeeds or fails with an error that is not an outage (`canRetry` true), waiting
 * `retryMs` between tries: a service started while Milvus is down waits for it instead of crash-looping.
 */
export async function whenMilvusAnswers<T>(
  attempt: () => Promise<T>,
  options: { retryMs?: number; onWait?: (error: unknown) => void } = {},
): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { canRetry?: unknown } | null)?.canRetry !== true) throw error;
      options.onWait?.(error);
      await new Promise((r) => setTimeout(r, options.retryMs ?? 1000));
    }
  }
}

/** Polls a real call until Milvus answers or `timeoutMs` passes. */
export async function waitForMilvus(client: MilvusClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await client.listCollections();
      return;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`milvus did not answer within ${timeoutMs} ms: ${String(last)}`);
}
