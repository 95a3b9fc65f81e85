import {
  type BatchHandler,
  type DeadLetter,
  type DlqPublisher,
  type Message,
  type Producer,
  produceAll,
  type StageRecord,
} from '@freshet/kafka';
import type { AvroCodec, EventType } from '@freshet/schemas';
import { type Logger, OutcomeTally, type PipelineMetrics } from '@freshet/telemetry';
import { decodeProductEvent } from './decode.js';
import type { DedupWindow } from './dedup.js';
import { InvalidEventError } from './errors.js';
import { embedMessage, type RouteOptions, toEmbedRequest } from './route.js';
import { type ValidationRules, validateEvent } from './validate.js';

export const STAGE = 'router';

export interface RouterDeps {
  codec: AvroCodec;
  producer: Producer;
  dlq: DlqPublisher;
  dedup: DedupWindow;
  route: RouteOptions;
  rules: ValidationRules;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Clock for routedAt (tests). */
  now?: () => number;
}

type Outcome = 'forwarded' | 'duplicate' | 'dlq';
/** Label of records whose type is unknown because they do not decode. */
const UNDECODED = 'UNKNOWN';

/**
 * One partition batch, in offset order: decode → validate → dedup → route. Bad input goes to the DLQ
 * with its reason and the partition moves on (DESIGN §4.6); only an outage of the registry or of Kafka
 * throws, so the runner retries the whole batch uncommitted. Forwards and dead letters are both
 * acknowledged before the handler resolves (and so before the offset is committed), and the dedup
 * window learns the batch's eventIds only then.
 */
export function createRouterHandler(deps: RouterDeps): BatchHandler {
  const now = deps.now ?? Date.now;
  return async (records) => {
    const routedAt = now();
    const dedup = deps.dedup.batch();
    const forwards: Message[] = [];
    const letters: DeadLetter[] = [];
    // Added to the counters only once the batch is durable (a retried batch counts once).
    const outcomes = new OutcomeTally<EventType | typeof UNDECODED, Outcome>();

    for (const record of records) {
      const decoded = await decodeProductEvent(deps.codec, record);
      if (!decoded.ok) {
        letters.push(deadLetter(record, decoded.error.code, decoded.error.message));
        outcomes.add(UNDECODED, 'dlq');
        continue;
      }
      const event = validateEvent(
        decoded.event,
        { key: record.key === null ? null : record.key.toString('utf8'), tombstone: decoded.tombstone },
        deps.rules,
      );
      if (event instanceof InvalidEventError) {
        letters.push(deadLetter(record, event.code, event.message));
        outcomes.add(decoded.event.type, 'dlq');
        continue;
      }
      if (dedup.isDuplicate(event.eventId)) {
        outcomes.add(event.type, 'duplicate');
        continue;
      }
      forwards.push(
        await embedMessage(deps.codec, toEmbedRequest(event, deps.route, routedAt), record, deps.route),
      );
      outcomes.add(event.type, 'forwarded');
    }

    await produceAll(deps.producer, deps.route.embedTopic, forwards);
    if (letters.length > 0) await deps.dlq.publish(letters);
    dedup.commit();

    outcomes.record(deps.metrics, STAGE);
    for (const letter of letters) deps.metrics.dlq.inc({ stage: STAGE, reason: letter.reason });
    if (letters.length > 0) {
      deps.logger.warn(
        {
          partition: records[0]?.partition,
          dlq: letters.map((l) => ({ offset: l.record.offset, reason: l.reason })).slice(0, 20),
          count: letters.length,
        },
        'bad records sent to the DLQ',
      );
    }
  };
}

function deadLetter(record: StageRecord, reason: string, message: string): DeadLetter {
  return { reason, message, record };
}
