import { type MilvusClient, toMilvusRow } from '@freshet/milvus';
import type { ProductEvent } from '@freshet/schemas';
import type { BenchKafka } from './kafka.js';
import { type ModelSpec, type ProductFold, textOf } from './workload.js';

export interface NaiveResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  embeddingCalls: number;
}

/**
 * What naive tutorials do: one consumer that decodes each event, looks the product up, embeds its whole
 * text (every event, price and stock included) with one API call, and upserts the one row into Milvus.
 * Runs until `maxEvents` or `maxSeconds`, whichever comes first.
 */
export async function runNaive(options: {
  bk: BenchKafka;
  topic: string;
  groupId: string;
  fold: ProductFold;
  spec: ModelSpec;
  apiUrl: string;
  milvus: MilvusClient;
  collection: string;
  maxEvents: number;
  maxSeconds: number;
}): Promise<NaiveResult> {
  const { bk, fold, spec } = options;
  const consumer = bk.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  let events = 0;
  let calls = 0;
  let started = 0;
  let finished = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const stopAt = () =>
    started > 0 && (events >= options.maxEvents || performance.now() - started >= options.maxSeconds * 1000);
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (finished || message.value === null) return;
      if (started === 0) started = performance.now();
      const { value: event } = await bk.codec.decode<ProductEvent>(message.value);
      fold.apply(event);
      const product = fold.product(event.productId);
      if (event.type === 'DELETE' || product === undefined) {
        await options.milvus.delete({
          collection_name: options.collection,
          filter: `product_id in [${JSON.stringify(event.productId)}]`,
        });
      } else {
        const text = textOf(product, spec);
        const res = await fetch(`${options.apiUrl}/embeddings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: spec.model, input: text, dimensions: spec.dimension }),
        });
        calls += 1;
        if (!res.ok) throw new Error(`embedding call failed: ${res.status}`);
        const body = (await res.json()) as { data: Array<{ embedding: number[] }> };
        await options.milvus.upsert({
          collection_name: options.collection,
          data: [
            toMilvusRow({
              productId: event.productId,
              vector: body.data[0]!.embedding,
              title: product.title,
              category: product.category,
              brand: product.brand,
              priceMinor: product.price?.amountMinor ?? null,
              currency: product.price?.currency ?? null,
              stock: product.stock,
              version: event.version,
              contentHash: '',
              model: spec.model,
              occurredAt: event.occurredAt,
              indexedAt: Date.now(),
            }),
          ],
        });
      }
      events += 1;
      if (stopAt() && !finished) {
        finished = true;
        resolveDone();
      }
    },
  });
  const guard = setInterval(() => {
    if (stopAt() && !finished) {
      finished = true;
      resolveDone();
    }
  }, 200);
  await done;
  clearInterval(guard);
  const seconds = (performance.now() - started) / 1000;
  const counted = events;
  await consumer.disconnect();
  return { events: counted, seconds, eventsPerSecond: counted / seconds, embeddingCalls: calls };
}
