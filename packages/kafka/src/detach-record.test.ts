import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachRecord, type StageRecord } from './stage-runner.js';

// kafkajs decodes every record of a fetch as views into one response buffer.
function recordsOfOneResponse(): { response: Buffer; record: StageRecord } {
  const response = Buffer.alloc(1 << 16, 7);
  response.write('p-1', 0);
  response.write('00-trace', 16);
  return {
    response,
    record: {
      topic: 't',
      partition: 3,
      offset: '42',
      timestamp: '1',
      key: response.subarray(0, 3),
      value: response.subarray(100, 200),
      headers: {
        traceparent: response.subarray(16, 24),
        many: [response.subarray(16, 18), 'text'],
        plain: 'x',
      },
    },
  };
}

test('a detached record holds no view into the response its bytes came in', () => {
  const { response, record } = recordsOfOneResponse();
  const copy = detachRecord(record, { value: true });
  const headers = copy.headers ?? {};
  const many = headers.many as Array<Buffer | string>;
  const views = [copy.key, copy.value, headers.traceparent, ...many];
  for (const v of views) {
    if (Buffer.isBuffer(v)) assert.notEqual(v.buffer, response.buffer, 'a copy, not a view');
  }
  response.fill(0);
  assert.equal(copy.key?.toString(), 'p-1');
  assert.equal(copy.value?.length, 100);
  assert.ok(copy.value?.every((b) => b === 7));
  assert.equal(copy.headers?.traceparent?.toString(), '00-trace');
  assert.deepEqual(many.map(String), ['00', 'text']);
  assert.equal(copy.headers?.plain, 'x');
  assert.deepEqual(
    { topic: copy.topic, partition: copy.partition, offset: copy.offset, timestamp: copy.timestamp },
    { topic: 't', partition: 3, offset: '42', timestamp: '1' },
  );
});

test('the value is dropped unless asked for', () => {
  const { record } = recordsOfOneResponse();
  assert.equal(detachRecord(record, { value: false }).value, null);
  assert.equal(detachRecord({ ...record, value: null, headers: undefined }, { value: true }).value, null);
});
