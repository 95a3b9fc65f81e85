import { idFilter, type MilvusClient } from '@freshet/milvus';
import type { ProductEvent } from '@freshet/schemas';
import type { BenchKafka } from './kafka.js';

export interface FreshnessSample {
  /** Seconds since the steady run started (when the event was produced). */
  at: number;
  /** occurredAt → the first query that returned the event's version. */
  ms: number;
  type: ProductEvent['type'];
  productId: string;
  version: number;
  occurredAt: number;
  seenAt: number;
  /**
   * A price/stock change produced less than TEXT_AHEAD_MS after a text change of its product: per-key order
   * makes it wait for that text's embedding.
   */
  behindText: boolean;
}

/** A price or stock change: an event that needs no embedding and updates a row in place. */
export function isPriceStock(type: ProductEvent['type']): boolean {
  return type === 'PRICE_CHANGE' || type === 'STOCK_UPDATE';
}

/** How recent a product's text change must be for a price/stock change to count as behind it. */
export const TEXT_AHEAD_MS = 1000;

export interface FreshnessRun {
  offeredRate: number;
  achievedRate: number;
  /** Epoch ms when the run started producing. */
  startedAt: number;
  produced: number;
  seconds: number;
  samples: FreshnessSample[];
  /** Sampled events never seen within the wait after the run (counted, never hidden). */
  missed: number;
  missedEvents: Array<{ productId: string; version: number; type: ProductEvent['type'] }>;
  /** Sampled events whose product was deleted before a query saw them (nothing left to see). */
  superseded: number;
}

interface Pending {
  version: number;
  occurredAt: number;
  at: number;
  type: ProductEvent['type'];
  behindText: boolean;
}

/**
 * Produces `events` at a steady `rate` with occurredAt = the moment each is sent, and polls Milvus for
 * every `sampleEvery`-th one until a query returns its version: occurredAt → searchable, end to end.
 * Deletes are not sampled (absence is also what a lagging index shows).
 */
export async function runFreshness(options: {
  bk: BenchKafka;
  topic: string;
  events: readonly ProductEvent[];
  rate: number;
  sampleEvery: number;
  milvus: MilvusClient;
  collection: string;
  settleMs: number;
}): Promise<FreshnessRun> {
  const { bk, events, rate } = options;
  const schemaId = await bk.codec.register(options.topic, 'ProductEvent.v1');
  const pending = new Map<string, Pending>();
  const samples: FreshnessSample[] = [];
  const started = Date.now();
  let producing = true;

  const poller = (async () => {
    let settleUntil = Number.POSITIVE_INFINITY;
    while (producing || (pending.size > 0 && Date.now() < settleUntil)) {
      if (!producing && settleUntil === Number.POSITIVE_INFINITY) settleUntil = Date.now() + options.settleMs;
      const ids = [...pending.keys()].slice(0, 500);
      if (ids.length > 0) {
        const result = await options.milvus.query({
          collection_name: options.collection,
          filter: idFilter(ids),
          output_fields: ['product_id', 'version'],
          limit: ids.length,
        });
        const seenAt = Date.now();
        for (const row of result.data as Array<{ product_id: string; version: string | number }>) {
          const p = pending.get(row.product_id);
          if (p && Number(row.version) >= p.version) {
            samples.push({
              at: p.at,
              ms: seenAt - p.occurredAt,
              type: p.type,
              productId: row.product_id,
              version: p.version,
              occurredAt: p.occurredAt,
              seenAt,
              behindText: p.behindText,
            });
            pending.delete(row.product_id);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  let sent = 0;
  let superseded = 0;
  const lastText = new Map<string, number>();
  try {
    while (sent < events.length) {
      const due = Math.min(events.length, Math.floor(((Date.now() - started) / 1000) * rate));
      if (due > sent) {
        const messages = [];
        for (let i = sent; i < due; i++) {
          const occurredAt = Date.now();
          const event = { ...events[i]!, occurredAt };
          if (event.type === 'DELETE' && pending.delete(event.productId)) superseded += 1;
          const textAt = lastText.get(event.productId);
          if (i % options.sampleEvery === 0 && event.type !== 'DELETE' && !pending.has(event.productId)) {
            pending.set(event.productId, {
              version: event.version,
              occurredAt,
              at: (occurredAt - started) / 1000,
              type: event.type,
              behindText:
                isPriceStock(event.type) && textAt !== undefined && occurredAt - textAt < TEXT_AHEAD_MS,
            });
          }
          if (event.type === 'CREATE' || event.type === 'UPDATE') lastText.set(event.productId, occurredAt);
          messages.push({ key: event.productId, value: await bk.codec.encodeWith(schemaId, event) });
        }
        await bk.producer.send({ topic: options.topic, messages, acks: -1 });
        sent = due;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    producing = false;
  }
  const seconds = (Date.now() - started) / 1000;
  await poller;
  return {
    offeredRate: rate,
    achievedRate: sent / seconds,
    startedAt: started,
    produced: sent,
    seconds,
    samples,
    missed: pending.size,
    missedEvents: [...pending].map(([productId, p]) => ({ productId, version: p.version, type: p.type })),
    superseded,
  };
}
