import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionForKey } from './partition.js';

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
