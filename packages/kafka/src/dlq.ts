import type { IHeaders, Producer } from 'kafkajs';
import { HEADER, sourceHeaders } from './headers.js';
import { produceAll } from './producer.js';

export interface DeadLetter {
  /** Stable reason code (FRESHET_*), the `freshet-dlq-reason` header. */
  reason: string;
  /** Human-readable detail; never contains secrets. */
  message: string;
  record: {
    topic: string;
    partition: number;
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: IHeaders | undefined;
  };
}

/**
 * Sends records that can never be processed to the DLQ topic with their original key, value and headers,
 * plus why, where and when (DESIGN §4.6). The caller commits the source offset only after this resolves.
 */
export class DlqPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly stage: string,
  ) {}

  async publish(letters: DeadLetter[]): Promise<void> {
    await produceAll(
      this.producer,
      this.topic,
      letters.map(({ reason, message, record }) => ({
        key: record.key,
        value: record.value,
        headers: {
          ...stripDlqHeaders(record.headers),
          ...sourceHeaders(record.headers, record),
          [HEADER.dlqReason]: reason,
          [HEADER.dlqMessage]: message.slice(0, 2000),
          [HEADER.dlqStage]: this.stage,
          [HEADER.dlqAt]: String(Date.now()),
          [HEADER.dlqTopic]: record.topic,
          [HEADER.dlqPartition]: String(record.partition),
          [HEADER.dlqOffset]: record.offset,
        },
      })),
    );
  }
}

/** A replayed record that fails again gets fresh DLQ headers, not two sets. */
function stripDlqHeaders(headers: IHeaders | undefined): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!name.startsWith('freshet-dlq-')) out[name] = value;
  }
  return out;
}
