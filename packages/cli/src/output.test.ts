import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine } from './log-lines.js';
import { formatPrice, table } from './output.js';

test('prices use the currency exponent: JPY and VND have no minor unit', () => {
  assert.equal(formatPrice(19249, 'USD'), '192.49 USD');
  assert.equal(formatPrice(1500, 'JPY'), '1500 JPY');
  assert.equal(formatPrice(250000, 'VND'), '250000 VND');
  assert.equal(formatPrice(null, 'USD'), '—');
});

test('tables align columns and leave no trailing spaces', () => {
  assert.equal(
    table([
      ['a', 'bb', 'c'],
      ['ccc', 'd', ''],
    ]),
    'a    bb  c\nccc  d',
  );
});

test('log lines read as one human line with the kafkajs namespace and error', () => {
  assert.equal(
    formatLogLine(
      JSON.stringify({
        level: 50,
        kafka: 'BrokerPool',
        msg: 'Failed to connect',
        error: 'ECONNREFUSED',
        time: 1,
      }),
    ),
    'freshet error [kafka BrokerPool] Failed to connect: ECONNREFUSED',
  );
  assert.equal(formatLogLine('not json'), 'not json');
});
