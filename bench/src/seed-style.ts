import { createKafka } from '@freshet/kafka';
import {
  createMilvusClient,
  deleteRows,
  type PartialProductRow,
  type ProductRow,
  partialUpdate,
  upsertRows,
} from '@freshet/milvus';
import { AvroCodec, contentHash, embeddingText, type Product, type ProductEvent } from '@freshet/schemas';
import { createLogger } from '@freshet/telemetry';
import OpenAI from 'openai';

/**
 * The seed-style pipeline (DESIGN §8, issue 13): what the seed articles describe, written with the project's
 * clients and made as fast as that design allows. One process and one loop: take 100 events (or what came
 * within 2 s), fold each product's events of the batch (the last one wins), embed the texts whose content
 * hash is not in a 1 h cache with one API call, then one upsert of the full rows, one delete of the deleted
 * ones and the price/stock-only changes as partial updates; offsets are auto-committed.
 */
export interface SeedStyleOptions {
  brokers: string;
  registry: string;
  milvus: string;
  topic: string;
  groupId: string;
  /** A physical collection of its own (same layout as the pipeline's). */
  collection: string;
  apiUrl: string;
  model: string;
  dimension: number;
  templateVersion: number;
  attributes: string[];
  /** Events to process before reporting `done` (the bench knows the segment's size). */
  expect: number;
  batchSize?: number;
  lingerMs?: number;
  cacheTtlMs?: number;
}

export interface SeedStyleReport {
  /** Epoch ms: consumer joined its group; last event's batch written. */
  joinedAt: number;
  doneAt: number;
  events: number;
  batches: number;
  apiCalls: number;
  embeddedTexts: number;
  cacheHits: number;
  /** How long the last, partial batch waited for the 2 s linger (the design's cost at the end of a backlog). */
  finalLingerMs: number;
}

/** One product's events of a batch folded in arrival order (the last one wins). */
type Folded =
  | { kind: 'delete'; version: number; occurredAt: number }
  | { kind: 'full'; version: number; occurredAt: number; product: Product }
  | {
      kind: 'partial';
      version: number;
      occurredAt: number;
      price?: Product['price'];
      stock?: number | null;
    };

function fold(previous: Folded | undefined, e: ProductEvent): Folded {
  const at = { version: e.version, occurredAt: e.occurredAt };
  switch (e.type) {
    case 'CREATE':
    case 'UPDATE':
      return { kind: 'full', ...at, product: e.product as Product };
    case 'DELETE':
      return { kind: 'delete', ...at };
    case 'PRICE_CHANGE':
    case 'STOCK_UPDATE': {
      const change = e.type === 'PRICE_CHANGE' ? { price: e.price } : { stock: e.stock };
      // After a full event in the same batch the change applies to that state; otherwise it is a partial
      // update of the row in Milvus. (A change after a delete cannot happen at the source.)
      if (previous?.kind === 'full')
        return { kind: 'full', ...at, product: { ...previous.product, ...change } };
      if (previous?.kind === 'partial') return { ...previous, ...at, ...change };
      return { kind: 'partial', ...at, ...change };
    }
  }
}

export async function runSeedStyle(
  options: SeedStyleOptions,
  onJoined: () => void = () => {},
): Promise<{ report: SeedStyleReport; close(): Promise<void> }> {
  const batchSize = options.batchSize ?? 100;
  const lingerMs = options.lingerMs ?? 2000;
  const ttlMs = options.cacheTtlMs ?? 3_600_000;
  const spec = {
    model: options.model,
    dimension: options.dimension,
    templateVersion: options.templateVersion,
  };
  const textOptions = { templateVersion: options.templateVersion, attributes: options.attributes };
  const logger = createLogger({ service: 'seed-style', level: 'error' });
  const kafka = createKafka(
    {
      brokers: [options.brokers],
      clientId: 'seed-style',
      ssl: false,
      connectionTimeoutMs: 3000,
      sessionTimeoutMs: 30000,
      heartbeatIntervalMs: 3000,
    },
    logger,
  );
  const codec = new AvroCodec({ url: options.registry });
  const milvus = createMilvusClient({ address: options.milvus, timeoutMs: 60000 });
  // No retries and no per-call options beyond the model: the fastest the SDK goes.
  const openai = new OpenAI({ apiKey: 'bench', baseURL: options.apiUrl, maxRetries: 0, timeout: 60000 });
  const cache = new Map<string, { vector: Float32Array; at: number }>();
  // Large fetches: a backlog arrives in as few round trips as kafkajs allows.
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const report: SeedStyleReport = {
    joinedAt: 0,
    doneAt: 0,
    events: 0,
    batches: 0,
    apiCalls: 0,
    embeddedTexts: 0,
    cacheHits: 0,
    finalLingerMs: 0,
  };
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const processBatch = async (values: Buffer[]) => {
    const byProduct = new Map<string, Folded>();
    for (const value of values) {
      const { value: e } = await codec.decode<ProductEvent>(value);
      byProduct.set(e.productId, fold(byProduct.get(e.productId), e));
    }
    const now = Date.now();
    const deletes: string[] = [];
    const partials: PartialProductRow[] = [];
    const full: Array<{ id: string; f: Extract<Folded, { kind: 'full' }>; text: string; hash: string }> = [];
    for (const [id, f] of byProduct) {
      if (f.kind === 'delete') deletes.push(id);
      else if (f.kind === 'partial') {
        const row: PartialProductRow = {
          productId: id,
          version: f.version,
          occurredAt: f.occurredAt,
          indexedAt: now,
        };
        if ('price' in f) {
          row.priceMinor = f.price?.amountMinor ?? null;
          row.currency = f.price?.currency ?? null;
        }
        if ('stock' in f) row.stock = f.stock ?? null;
        partials.push(row);
      } else {
        const text = embeddingText(f.product, textOptions);
        full.push({ id, f, text, hash: contentHash(text, spec) });
      }
    }
    const missing = [
      ...new Set(
        full
          .filter((x) => {
            const hit = cache.get(x.hash);
            return hit === undefined || now - hit.at > ttlMs;
          })
          .map((x) => x.hash),
      ),
    ];
    if (missing.length > 0) {
      const textOf = new Map(full.map((x) => [x.hash, x.text]));
      const response = await openai.embeddings.create({
        model: options.model,
        input: missing.map((h) => textOf.get(h) as string),
        dimensions: options.dimension,
        encoding_format: 'base64',
      });
      report.apiCalls += 1;
      report.embeddedTexts += missing.length;
      for (const item of response.data) {
        const bytes = Buffer.from(item.embedding as unknown as string, 'base64');
        const vector = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        cache.set(missing[item.index] as string, { vector, at: now });
      }
    }
    report.cacheHits += full.length - missing.length;
    const rows: ProductRow[] = full.map(({ id, f, hash }) => ({
      productId: id,
      vector: (cache.get(hash) as { vector: Float32Array }).vector,
      title: f.product.title,
      category: f.product.category,
      brand: f.product.brand,
      priceMinor: f.product.price?.amountMinor ?? null,
      currency: f.product.price?.currency ?? null,
      stock: f.product.stock,
      version: f.version,
      contentHash: hash,
      model: options.model,
      occurredAt: f.occurredAt,
      indexedAt: now,
    }));
    // Each product is in exactly one of the three lists, so their order does not matter.
    await upsertRows(milvus, options.collection, rows);
    await deleteRows(milvus, options.collection, deletes);
    await partialUpdate(milvus, options.collection, partials);
    report.batches += 1;
    report.events += values.length;
    if (report.events >= options.expect) {
      report.doneAt = Date.now();
      resolveDone();
    }
  };

  // One batch at a time, whether the 100th event or the 2 s linger completed it.
  let buffer: Buffer[] = [];
  let bufferedSince = 0;
  let chain = Promise.resolve();
  const flush = (values: Buffer[]) => {
    chain = chain.then(() => processBatch(values));
    return chain;
  };
  const linger = setInterval(() => {
    if (buffer.length > 0 && Date.now() - bufferedSince >= lingerMs) {
      if (report.events + buffer.length >= options.expect) report.finalLingerMs = Date.now() - bufferedSince;
      const values = buffer;
      buffer = [];
      void flush(values);
    }
  }, 20);

  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (report.joinedAt === 0) report.joinedAt = Date.now();
    onJoined();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        if (message.value === null) continue;
        if (buffer.length === 0) bufferedSince = Date.now();
        buffer.push(message.value);
        if (buffer.length >= batchSize) {
          const values = buffer;
          buffer = [];
          await flush(values);
        }
      }
    },
  });
  await Promise.race([done, chain.then(() => new Promise<void>(() => {}))]);
  clearInterval(linger);
  return {
    report,
    async close() {
      await consumer.disconnect();
      await milvus.closeConnection();
    },
  };
}
