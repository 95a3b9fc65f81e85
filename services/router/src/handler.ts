import type { BatchHandler, DeadLetter, DlqPublisher, Message, Producer } from '@freshet/kafka';
import { produceAll, sourceHeaders } from '@freshet/kafka';
import { type AvroCodec, UNKNOWN_VERSION } from '@freshet/schemas';
import { type Logger, type PipelineMetrics, startRecordSpan } from '@freshet/telemetry';
import { decodeProductEvent } from './decode.js';
import type { DedupWindow } from './dedup.js';
import { type RouteOptions, toEmbedRequest } from './route.js';
import { InvalidEventError, validateEvent } from './validate.js';

export interface RouterHandlerDeps {
  codec: AvroCodec;
  producer: Producer;
  embedTopic: string;
  dlq: DlqPublisher;
  dedup: DedupWindow;
  route: RouteOptions;
  textMaxBytes: number;
  metrics: PipelineMetrics;
  logger: Logger;
}

const STAGE = 'router';

/**
 * decode → validate → dedup → route, in partition order. Bad input goes to the DLQ with its reason and
 * the partition moves on; only dependency outages (registry, Kafka) throw, so the batch is retried.
 */
export function createRouterHandler(deps: RouterHandlerDeps): BatchHandler {
  return async (records) => {
    const forwards: Message[] = [];
    const forwardedIds: string[] = [];
    const inBatch = new Set<string>();
    const letters: DeadLetter[] = [];
    const counts = new Map<string, number>();
    const count = (type: string, outcome: string) => {
      const key = `${type}\u0000${outcome}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    const routedAt = Date.now();

    for (const record of records) {
      const decoded = await decodeProductEvent(deps.codec, record);
      if (!decoded.ok) {
        letters.push({ reason: decoded.code, message: decoded.message, record });
        count('UNKNOWN', 'dlq');
        continue;
      }
      const event = decoded.event;
      try {
        if (event.version === UNKNOWN_VERSION) {
          if (event.productId === '')
            throw new InvalidEventError('FRESHET_ID_EMPTY', 'tombstone without a key');
        } else {
          validateEvent(event, record.key?.toString('utf8') ?? null, { textMaxBytes: deps.textMaxBytes });
        }
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        letters.push({ reason: error.code, message: error.message, record });
        count(event.type, 'dlq');
        continue;
      }
      if (deps.dedup.seen(event.eventId) || inBatch.has(event.eventId)) {
        count(event.type, 'duplicate');
        continue;
      }
      inBatch.add(event.eventId);
      const span = startRecordSpan(STAGE, 'router.route', record.headers, {
        'freshet.product_id': event.productId,
        'freshet.event_type': event.type,
      });
      const request = toEmbedRequest(event, deps.route, routedAt);
      forwards.push({
        key: event.productId,
        value: await deps.codec.encode(deps.embedTopic, request),
        headers: { ...span.outgoing, ...sourceHeaders(record.headers, record) },
      });
      span.end();
      forwardedIds.push(event.eventId);
      count(event.type, 'forwarded');
    }

    await produceAll(deps.producer, deps.embedTopic, forwards);
    if (letters.length > 0) {
      await deps.dlq.publish(letters);
      for (const l of letters) deps.metrics.dlq.inc({ stage: STAGE, reason: l.reason });
      deps.logger.warn(
        { count: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] },
        'records sent to the DLQ',
      );
    }
    // Only now, with the forwards acknowledged, do these ids count as seen (a retried batch is not a duplicate).
    deps.dedup.remember(forwardedIds);
    for (const [key, n] of counts) {
      const [type, outcome] = key.split('\u0000') as [string, string];
      deps.metrics.events.inc({ stage: STAGE, type, outcome }, n);
    }
  };
}
