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
  return {
    [HEADER.sourceTopic]: own.topic,
    [HEADER.sourcePartition]: String(own.partition),
    [HEADER.sourceOffset]: own.offset,
  };
}
