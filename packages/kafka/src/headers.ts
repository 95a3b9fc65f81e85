import type { IHeaders } from 'kafkajs';

/** Header names freshet adds to every record it produces (DESIGN §2). */
export const HEADER = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  sourceTopic: 'freshet-source-topic',
  sourcePartition: 'freshet-source-partition',
  sourceOffset: 'freshet-source-offset',
  dlqReason: 'freshet-dlq-reason',
  dlqMessage: 'freshet-dlq-message',
  dlqStage: 'freshet-dlq-stage',
  dlqAt: 'freshet-dlq-at',
  dlqTopic: 'freshet-dlq-topic',
  dlqPartition: 'freshet-dlq-partition',
  dlqOffset: 'freshet-dlq-offset',
  replayCount: 'freshet-replay-count',
} as const;

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * The input-topic offset of the event a record came from (recorded by the router), or null when the
 * headers name another source or no valid offset: offsets of different topics do not compare.
 */
export function sourceOffsetOf(headers: IHeaders | undefined, inputTopic: string): number | null {
  if (headerString(headers, HEADER.sourceTopic) !== inputTopic) return null;
  const raw = headerString(headers, HEADER.sourceOffset);
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * The source position of a record: the original input topic/partition/offset when an earlier stage
 * recorded it, else the record's own position (it *is* the source).
 */
export function sourceHeaders(
  headers: IHeaders | undefined,
  own: { topic: string; partition: number; offset: string },
): Record<string, string> {
  const topic = headerString(headers, HEADER.sourceTopic);
  if (topic !== undefined) {
    return {
      [HEADER.sourceTopic]: topic,
      [HEADER.sourcePartition]: headerString(headers, HEADER.sourcePartition) ?? '',
      [HEADER.sourceOffset]: headerString(headers, HEADER.sourceOffset) ?? '',
    };
  }
  return positionHeaders(own);
}

/** A record's own position as source headers (the router's: an input record is its own source). */
export function positionHeaders(own: {
  topic: string;
  partition: number;
  offset: string;
}): Record<string, string> {
  return {
    [HEADER.sourceTopic]: own.topic,
    [HEADER.sourcePartition]: String(own.partition),
    [HEADER.sourceOffset]: own.offset,
  };
}
