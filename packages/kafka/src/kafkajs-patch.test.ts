// The kafkajs patch (patches/kafkajs@2.2.4.patch) checksums record batches with SheetJS crc-32's CRC32C and
// writes a record's headers in place: the broker rejects a batch whose CRC or layout is wrong, so both must
// give exactly the bytes of kafkajs' own code.
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

interface KafkaEncoder {
  buffer: Buffer;
  size(): number;
  writeInt8(v: number): KafkaEncoder;
  writeInt16(v: number): KafkaEncoder;
  writeInt32(v: number): KafkaEncoder;
  writeString(v: string | null): KafkaEncoder;
  writeVarInt(v: number): KafkaEncoder;
  writeVarLong(v: number): KafkaEncoder;
  writeVarIntBytes(v: Buffer | string | null): KafkaEncoder;
  writeVarIntArray(array: KafkaEncoder[]): KafkaEncoder;
  writeEncoder(e: KafkaEncoder): KafkaEncoder;
}
type Headers = Record<string, string | Buffer | Array<string | Buffer>>;
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => KafkaEncoder;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: string;
  value: Buffer | string | null;
  headers: Headers;
}) => KafkaEncoder;
const Header = require('kafkajs/src/protocol/recordBatch/header/v0/index.js') as (h: {
  key: string;
  value: string | Buffer;
}) => KafkaEncoder;

test('a record writes its headers in place, byte for byte the unpatched layout (Header encoders)', () => {
  const headers: Headers = {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'freshet-source-offset': '123456',
    'multi-ü': ['a', Buffer.from([0, 255, 7])],
    raw: randomBytes(300),
  };
  for (const value of [randomBytes(3_500), 'a string value', null]) {
    for (const h of [headers, {}]) {
      const got = Record({ offsetDelta: 7, timestampDelta: 1234, key: 'p-1', value, headers: h }).buffer;
      const entries = Object.entries(h).flatMap(([key, v]) =>
        Array.isArray(v) ? v.map((one) => ({ key, value: one })) : [{ key, value: v }],
      );
      const body = new Encoder()
        .writeInt8(0)
        .writeVarLong(1234)
        .writeVarInt(7)
        .writeVarIntBytes('p-1')
        .writeVarIntBytes(value)
        .writeVarIntArray(entries.map(Header));
      const expected = new Encoder().writeVarInt(body.size()).writeEncoder(body).buffer;
      assert.deepEqual(got, expected);
    }
  }
});

const Decoder = require('kafkajs/src/protocol/decoder.js') as new (
  buffer: Buffer,
) => { readVarInt(): number };
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  decoder: unknown,
  batchContext: { firstOffset: string; firstTimestamp: string },
) => {
  key: Buffer;
  value: Buffer;
  offset: string;
  timestamp: string;
  headers: Record<string, Buffer | Buffer[]>;
};

test('a record read back has its headers in one object: each key once, a repeated key as an array in order', () => {
  const raw = randomBytes(40);
  const bytes = Record({
    offsetDelta: 3,
    timestampDelta: 5,
    key: 'p-1',
    value: 'v',
    headers: { traceparent: 'tp', 'multi-ü': ['a', 'b', 'c'], raw },
  }).buffer;
  const decoder = new Decoder(bytes);
  decoder.readVarInt(); // the record's length, read by the batch decoder before it calls the record's
  const record = decodeRecord(decoder, { firstOffset: '100', firstTimestamp: '1000' });
  assert.equal(record.offset, '103');
  assert.equal(record.timestamp, '1005');
  assert.deepEqual(Object.keys(record.headers), ['traceparent', 'multi-ü', 'raw']);
  assert.deepEqual(record.headers.traceparent, Buffer.from('tp'));
  assert.deepEqual(record.headers['multi-ü'], [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
  assert.deepEqual(record.headers.raw, raw);
});

const createRequest = require('kafkajs/src/protocol/request.js') as (r: {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<KafkaEncoder> };
}) => Promise<KafkaEncoder>;

test('a request is framed in one encoder, byte for byte the unpatched header-then-size layout', async () => {
  for (const clientId of ['freshet-router', null, 'ü-client']) {
    const payload = () => new Encoder().writeVarIntBytes(randomBytes(0)).writeVarIntBytes('payload ü');
    const got = (
      await createRequest({
        correlationId: 7,
        clientId,
        request: { apiKey: 0, apiVersion: 3, encode: async () => payload() },
      })
    ).buffer;
    const header = new Encoder()
      .writeInt16(0)
      .writeInt16(3)
      .writeInt32(7)
      .writeString(clientId)
      .writeEncoder(payload());
    const expected = new Encoder().writeInt32(header.size()).writeEncoder(header).buffer;
    assert.deepEqual(got, expected, String(clientId));
  }
});

const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (batch: {
    records: KafkaEncoder[];
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
  }) => Promise<KafkaEncoder>;
};
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{
  firstOffset: string;
  records: Array<{ key: Buffer; value: Buffer; offset: string }>;
}>;

test('a record batch written in one encoder reads back whole, with the CRC32C of its body', async () => {
  const values = [randomBytes(3_500), randomBytes(10), randomBytes(70_000)];
  const batch = (
    await RecordBatch({
      records: values.map((value, i) =>
        Record({ offsetDelta: i, timestampDelta: 0, key: `p-${i}`, value, headers: {} }),
      ),
      firstTimestamp: 1000,
      maxTimestamp: 1000,
      lastOffsetDelta: values.length - 1,
    })
  ).buffer;
  // FirstOffset (8), Length (4) counting every byte after it, PartitionLeaderEpoch (4), Magic (1), CRC (4).
  assert.equal(batch.readInt32BE(8), batch.length - 12);
  assert.equal(batch.readUInt32BE(17), batchCrc(batch.subarray(21)) >>> 0);
  const decoded = await decodeBatch(new Decoder(batch));
  assert.deepEqual(
    decoded.records.map((r) => [r.key.toString(), r.value, r.offset]),
    values.map((v, i) => [`p-${i}`, v, String(i)]),
  );
});

test('a varlong within int32 is written as kafkajs’ BigInt path writes it, and sized the same', () => {
  const EncoderClass = Encoder as unknown as { sizeOfVarLong(v: number | string): number };
  const values = [0, -0, 1, -1, 63, 64, -64, -65, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 1_000_000, -1_000_000];
  for (let i = 0; i < 20_000; i++) values.push(Math.floor((Math.random() * 2 - 1) * 2 ** 31));
  for (const value of values) {
    // A string takes the unpatched path (kafkajs' Long.fromValue), the reference.
    const asLong = String(value);
    const fast = new Encoder().writeVarLong(value).buffer;
    const long = (new Encoder() as unknown as { writeVarLong(v: string): KafkaEncoder }).writeVarLong(
      asLong,
    ).buffer;
    assert.deepEqual(fast, long, `${value}`);
    assert.equal(EncoderClass.sizeOfVarLong(value), EncoderClass.sizeOfVarLong(asLong), `${value}`);
    assert.equal(EncoderClass.sizeOfVarLong(value), fast.length);
  }
  // Past int32 the Long path itself runs: 2^31 zigzags to 2^32, five 7-bit groups.
  assert.equal(new Encoder().writeVarLong(2 ** 31).buffer.toString('hex'), '8080808010');
});

test('messages are grouped per partition in their order, as kafkajs’ reduce grouped them', () => {
  type Message = { key: string };
  type Group = (args: {
    topic: string;
    partitionMetadata: unknown[];
    messages: Message[];
    partitioner: (args: { message: Message }) => number;
  }) => Record<string, Message[]>;
  const group = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Group;
  const partitioner = ({ message }: { message: Message }) => Number.parseInt(message.key, 36) % 6;
  const messages = Array.from({ length: 5_000 }, () => ({ key: randomBytes(4).toString('hex') }));
  // kafkajs 2.2.4's own code, the reference.
  const expected = messages.reduce<Record<string, Message[]>>((result, message) => {
    const partition = partitioner({ message });
    const current = result[partition] || [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
  const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId }));
  const got = group({ topic: 't', partitionMetadata, messages, partitioner });
  assert.deepEqual(got, expected);
  assert.equal(Object.keys(got).length, 6);
  assert.deepEqual(group({ topic: 't', partitionMetadata: [], messages, partitioner }), {});
});

test('a varint is written straight into the buffer, the LEB128 bytes of its zigzag’s low 32 bits', () => {
  // kafkajs' varint, written out: zigzag, then 7 bits a byte, low first, the high bit set on all but the last.
  const reference = (value: number, zigzag: boolean) => {
    let rest = (zigzag ? (value << 1) ^ (value >> 31) : value) >>> 0;
    const bytes: number[] = [];
    while (rest > 0x7f) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    return Buffer.from(bytes);
  };
  const enc = () => new Encoder() as unknown as KafkaEncoder & { writeUVarInt(v: number): KafkaEncoder };
  const values = [0, 1, -1, 127, 128, -128, 16_383, 16_384, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 300];
  for (let i = 0; i < 50_000; i++) values.push(Math.floor((Math.random() * 2 - 1) * 2 ** 31));
  for (const value of values) {
    assert.deepEqual(enc().writeVarInt(value).buffer, reference(value, true), `varint ${value}`);
    if (value >= 0)
      assert.deepEqual(enc().writeUVarInt(value).buffer, reference(value, false), `uvarint ${value}`);
  }
  // Many in one encoder, past its initial size: each lands after the last.
  const many = enc();
  for (const value of values.slice(0, 2_000)) many.writeVarInt(value);
  assert.deepEqual(many.buffer, Buffer.concat(values.slice(0, 2_000).map((v) => reference(v, true))));
});

test('a record’s timestamp and offset are its batch’s first plus its deltas: the decimal BigInt gives', () => {
  type RecordDecoder = (
    decoder: unknown,
    batchContext: object,
  ) => { timestamp: string; offset: string; value: Buffer };
  const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as RecordDecoder;
  const Reader = Decoder as unknown as new (b: Buffer) => { readVarInt(): number };
  const rand = (bits: number) => Math.floor((Math.random() * 2 - 1) * 2 ** bits);
  const cases: Array<{ first: string; delta: number | string; offset: string; offsetDelta: number }> = [
    { first: '1796590000000', delta: 0, offset: '0', offsetDelta: 0 },
    { first: '-1', delta: 5, offset: '9007199254740990', offsetDelta: 3 }, // an offset sum past 2^53
    { first: '9223372036854775000', delta: 7, offset: '42', offsetDelta: 1 }, // a base past 2^53
    { first: '1796590000000', delta: String(2 ** 60), offset: '1', offsetDelta: 2 }, // a delta past 7 bytes
  ];
  for (let i = 0; i < 5_000; i++)
    cases.push({
      first: String(1_796_590_000_000 + rand(40)),
      delta: rand(Math.random() * 50),
      offset: String(Math.abs(rand(50))),
      offsetDelta: Math.abs(rand(20)),
    });
  for (const c of cases) {
    const value = randomBytes(8);
    const bytes = Record({
      offsetDelta: c.offsetDelta,
      timestampDelta: c.delta as number,
      key: 'k',
      value,
      headers: {},
    }).buffer;
    const reader = new Reader(bytes);
    reader.readVarInt(); // the record's length, read by the batch before a record is decoded
    const record = decodeRecord(reader, {
      firstOffset: c.offset,
      firstTimestamp: c.first,
      maxTimestamp: c.first,
      magicByte: 2,
      timestampType: 0,
    });
    assert.equal(record.timestamp, String(BigInt(c.first) + BigInt(c.delta)), JSON.stringify(c));
    assert.equal(record.offset, String(BigInt(c.offset) + BigInt(c.offsetDelta)), JSON.stringify(c));
    assert.deepEqual(record.value, value);
  }
});
