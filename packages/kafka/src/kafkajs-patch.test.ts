// The kafkajs patch (patches/kafkajs@2.2.4.patch) checksums record batches with SheetJS crc-32's CRC32C:
// the broker rejects a batch whose CRC is wrong, so the values must be exactly the table's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
type Crc = (buffer: Buffer) => number;
const batchCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as Crc;
const tableCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as Crc;

test('record batches get CRC32C from crc-32, equal to kafkajs’ own table on any input', () => {
  const patched = require.resolve('crc-32/crc32c', { paths: [require.resolve('kafkajs')] });
  assert.match(patched, /crc-32/, 'kafkajs resolves crc-32 (package.json pnpm.packageExtensions)');
  // The CRC-32C check value (RFC 3720, iSCSI).
  assert.equal(batchCrc(Buffer.from('123456789')), 0xe3069283);
  for (const size of [0, 1, 3, 15, 16, 17, 255, 4096, 65_537, 300_000]) {
    const bytes = randomBytes(size);
    assert.equal(batchCrc(bytes), tableCrc(bytes) >>> 0, `${size} bytes`);
  }
  // A view into a bigger buffer (kafkajs checksums encoder slices).
  const big = randomBytes(10_000);
  const view = big.subarray(37, 9_001);
  assert.equal(batchCrc(view), tableCrc(Buffer.from(view)) >>> 0);
});
