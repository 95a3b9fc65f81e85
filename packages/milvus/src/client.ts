import { MilvusClient } from '@zilliz/milvus2-sdk-node';

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
