import { randomBytes } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/**
 * Kafka's `Utils.murmur2` (the Java client's default partitioner hash) in 32-bit integer arithmetic.
 * kafkajs' DefaultPartitioner computes the same hash with its 64-bit Long (BigInt) objects, a few
 * allocations and BigInt multiplications per byte quartet: ~5 % of the router's CPU in the bench.
 * partition.test.ts checks it against kafkajs' own and against values printed by Kafka's Java code.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The last 1–3 bytes (Java: a switch falling through from case 3 to case 1).
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2]! << 16;
    if (rest >= 2) h ^= data[tail + 1]! << 8;
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (x: number) => x & 0x7fffffff;

/**
 * The Java client's default partitioner, as kafkajs' DefaultPartitioner: the partition given, else the
 * key's murmur2 modulo the partition count, else round-robin over the available partitions. Every
 * producer of every stage uses it, so a productId lands on the same partition number in every topic
 * (DESIGN §1).
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined)
      return (
        toPositive(murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key)) %
        partitionMetadata.length
      );
    const counter = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, counter);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(counter) % available.length]!.partitionId;
    return toPositive(counter) % partitionMetadata.length;
  };
};

/** The partition Java's default partitioner picks for a non-null key. */
export function partitionForKey(key: string | Buffer, partitionCount: number): number {
  return toPositive(murmur2(typeof key === 'string' ? Buffer.from(key, 'utf8') : key)) % partitionCount;
}

export { Partitioners };
