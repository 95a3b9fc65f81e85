import type { Kafka, Message, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/**
 * A producer that keeps per-key order under retries (one in-flight request per broker) and waits
 * for all in-sync replicas, with the Java-compatible partitioner (DESIGN §1).
 */
export function createOrderedProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/** Sends `messages` to `topic` with acks=all; resolves only when the broker acknowledged every one. */
export async function produceAll(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  await producer.send({ topic, messages, acks: -1 });
}
