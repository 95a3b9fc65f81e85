import { Partitioners } from 'kafkajs';

// kafkajs' DefaultPartitioner is the Java client's murmur2 partitioner: every producer of every stage
// uses it, so a productId lands on the same partition number in every topic (DESIGN §1).
const javaCompatible = Partitioners.DefaultPartitioner();

/** The partition Java's default partitioner picks for a non-null key. */
export function partitionForKey(key: string | Buffer, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return javaCompatible({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

export { Partitioners };
