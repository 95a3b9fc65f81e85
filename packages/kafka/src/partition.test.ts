import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Partitioners } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2, partitionForKey } from './partition.js';

// Expected values printed by Kafka 3.9.1's own Java code:
// Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % n
const JAVA: Array<[string, number, number]> = [
  ['p-000001', 5, 11],
  ['p-000042', 5, 5],
  ['p-123456', 1, 1],
  ['sản-phẩm-1', 1, 7],
  ['商品-7', 1, 1],
  ['🎧-1', 2, 2],
  ['a', 4, 4],
];

test('a productId lands on the partition the Java client picks, for 6 and 12 partitions', () => {
  for (const [key, of6, of12] of JAVA) {
    assert.equal(partitionForKey(key, 6), of6, `${key} of 6`);
    assert.equal(partitionForKey(key, 12), of12, `${key} of 12`);
    assert.equal(partitionForKey(Buffer.from(key, 'utf8'), 6), of6, `${key} as bytes`);
  }
});

test('the 32-bit murmur2 partitioner picks what kafkajs DefaultPartitioner picks, for any key', () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const ours = JavaCompatiblePartitioner();
  const partitionMetadata = Array.from({ length: 7 }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const alphabet = ['a', 'Z', '0', '-', ' ', 'é', 'ữ', '商', '🎧', '\u0000', '\u00ff'];
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < 20_000; i++) {
    let key = '';
    for (let n = next() % 40; n > 0; n--) key += alphabet[next() % alphabet.length];
    const bytes = randomBytes(next() % 37);
    for (const k of [key, Buffer.from(key, 'utf8'), bytes]) {
      const args = { topic: 't', partitionMetadata, message: { key: k, value: null } };
      assert.equal(ours(args), kafkajs(args), `key ${JSON.stringify(String(k))}`);
    }
    assert.equal(murmur2(bytes) | 0, murmur2(bytes));
  }
});
