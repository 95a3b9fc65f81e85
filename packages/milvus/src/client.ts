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

/**
 * Readiness check (the /readyz shape): one cheap real call within `timeoutMs`. Not checkHealth/getVersion: SDK 3.0.6 awaits the
 * constructor's connect promise in those, so a client created while Milvus was down fails them forever.
 */
export async function milvusReadiness(
  client: MilvusClient,
  timeoutMs = 900,
): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const res = await Promise.race([client.listCollections(), deadline]);
    const code = res.status?.error_code;
    return code === undefined || code === 'Success' ? { ok: true } : { ok: false, detail: String(code) };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

interface SchemaCache {
  collectionInfoCache?: { delete(key: string): unknown };
  getCollectionInfoCacheKey?: (data: { collection_name: string }) => string;
}

/**
 * Drops the SDK's cached schema of `name` (an alias or a collection). SDK 3.0.6 caches each name's schema
 * for 12 minutes and shapes every upsert by it; after an alias moves to a collection of another dimension,
 * Milvus Lite refuses those upserts until the entry is gone (found by an earlier, unlanded refactor).
 */
export function forgetSchema(client: MilvusClient, name: string): void {
  const internals = client as unknown as SchemaCache;
  const key = internals.getCollectionInfoCacheKey?.call(client, { collection_name: name });
  if (key !== undefined) internals.collectionInfoCache?.delete(key);
}
