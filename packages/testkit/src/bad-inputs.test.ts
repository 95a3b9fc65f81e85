import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avroType, type ProductEvent } from '@freshet/schemas';
import { BAD_INPUT_CASES, badInput, badInputs, UNKNOWN_SCHEMA_ID } from './bad-inputs.js';
import { DLQ_REASON_CODES, DLQ_REASON_DESCRIPTIONS, type DlqReasonCode } from './dlq-reasons.js';

const type = avroType('ProductEvent.v1');
const SCHEMA_ID = 7;
const encode = async (event: ProductEvent) => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(SCHEMA_ID, 1);
  return Buffer.concat([header, type.toBuffer(event)]);
};

/** DESIGN §2–3 read literally: what the router must answer for these bytes under this key. */
function verdict(bytes: Buffer, key: string): DlqReasonCode | 'ok' {
  if (bytes.length < 6 || bytes[0] !== 0) return 'FRESHET_NOT_AVRO';
  if (bytes.readInt32BE(1) !== SCHEMA_ID) return 'FRESHET_UNKNOWN_SCHEMA';
  let e: ProductEvent;
  try {
    e = type.fromBuffer(bytes.subarray(5)) as ProductEvent;
  } catch {
    return 'FRESHET_AVRO_DECODE';
  }
  for (const id of [e.eventId, e.productId]) {
    if (id === '') return 'FRESHET_ID_EMPTY';
    if (Buffer.byteLength(id) > 256) return 'FRESHET_ID_TOO_LONG';
  }
  if (e.productId !== key) return 'FRESHET_KEY_MISMATCH';
  if (!Number.isSafeInteger(e.version) || e.version < 0) return 'FRESHET_VERSION_INVALID';
  const price = e.type === 'PRICE_CHANGE' ? e.price : e.product?.price;
  const stock = e.type === 'STOCK_UPDATE' ? e.stock : e.product?.stock;
  if ((e.type === 'CREATE' || e.type === 'UPDATE') && !e.product) return 'FRESHET_MISSING_PRODUCT';
  if (e.type === 'PRICE_CHANGE' && !e.price) return 'FRESHET_MISSING_PRICE';
  if (e.type === 'STOCK_UPDATE' && e.stock === null) return 'FRESHET_MISSING_STOCK';
  if (price && (!Number.isSafeInteger(price.amountMinor) || price.amountMinor < 0))
    return 'FRESHET_PRICE_INVALID';
  if (price && !/^[A-Z]{3}$/.test(price.currency)) return 'FRESHET_CURRENCY_INVALID';
  if (stock !== null && stock !== undefined && stock < 0) return 'FRESHET_STOCK_INVALID';
  if (
    e.product &&
    Buffer.byteLength(e.product.title) + Buffer.byteLength(e.product.description) > 32 * 1024
  ) {
    return 'FRESHET_TEXT_TOO_LONG';
  }
  return 'ok';
}

test('every bad input breaks exactly the rule its reason code names', async () => {
  for (const input of badInputs({ keys: ['p-000001', 'p-000002'] })) {
    const bytes = await input.value(encode);
    assert.equal(verdict(bytes, input.key), input.reason, input.case);
  }
});

test('every DLQ reason code is produced by at least one case and is documented', () => {
  const reasons = new Set(badInputs().map((b) => b.reason));
  assert.deepEqual([...reasons].sort(), [...DLQ_REASON_CODES].sort());
  for (const code of DLQ_REASON_CODES) assert.ok(DLQ_REASON_DESCRIPTIONS[code].length > 10, code);
});

test('bad inputs are keyed by the product they are about', () => {
  const keys = ['p-000010', 'p-000020', 'p-000030'];
  const inputs = badInputs({ keys });
  assert.equal(inputs.length, BAD_INPUT_CASES.length);
  for (const [i, input] of inputs.entries()) assert.equal(input.key, keys[i % keys.length]);
  assert.equal(badInputs()[0]?.key, 'bad-000');
});

test('the framing cases are what they say', async () => {
  const unknown = await badInput('unknown-schema-id', 'p-1').value(encode);
  assert.equal(unknown[0], 0);
  assert.equal(unknown.readInt32BE(1), UNKNOWN_SCHEMA_ID);
  const json = await badInput('json-instead-of-avro', 'p-1').value(encode);
  assert.equal(JSON.parse(json.toString()).productId, 'p-1');
  const cut = badInput('truncated-avro', 'p-1');
  const valid = await encode(cut.event as ProductEvent);
  const truncated = await cut.value(encode);
  assert.ok(truncated.length < valid.length && truncated.equals(valid.subarray(0, truncated.length)));
  const garbage = await badInput('garbage-bytes', 'p-1').value(encode);
  assert.notEqual(garbage[0], 0);
  const text = badInput('oversize-text', 'p-1').event?.product?.description ?? '';
  assert.ok(Buffer.byteLength(text) >= 100 * 1024);
  const longId = badInput('oversize-product-id', 'p-1').event?.productId ?? '';
  assert.ok(longId.length < 256 && Buffer.byteLength(longId) > 256, 'bytes, not characters, break the limit');
});

test('bad inputs are deterministic for a seed', async () => {
  const a = await badInput('garbage-bytes', 'p-1', { seed: 1 }).value(encode);
  assert.deepEqual(await badInput('garbage-bytes', 'p-1', { seed: 1 }).value(encode), a);
  assert.notDeepEqual(await badInput('garbage-bytes', 'p-1', { seed: 2 }).value(encode), a);
  assert.equal(
    badInput('negative-stock', 'p-1', { now: 5 }).event?.eventId,
    badInput('negative-stock', 'p-1', { now: 9 }).event?.eventId,
  );
});
