import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseRetryAfter, retryAfterFromHeaders } from './retry-after.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

test('Retry-After in seconds, fractional seconds and HTTP-date', () => {
  assert.equal(parseRetryAfter('1', NOW), 1000);
  assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
  assert.equal(parseRetryAfter('0.5', NOW), 500);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW), 0, 'a past date means now');
  assert.equal(parseRetryAfter('soon', NOW), undefined);
  assert.equal(parseRetryAfter('-5', NOW), undefined);
  assert.equal(parseRetryAfter('', NOW), undefined);
  assert.equal(parseRetryAfter(null, NOW), undefined);
});

test('Go-style durations of x-ratelimit-reset-*', () => {
  assert.equal(parseDuration('6m0s'), 360_000);
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('20ms'), 20);
  assert.equal(parseDuration('0.5s'), 500);
  assert.equal(parseDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseDuration('17.123s'), 17_123);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('1x'), undefined);
  assert.equal(parseDuration('s'), undefined);
  assert.equal(parseDuration('1s junk'), undefined);
  assert.equal(parseDuration(undefined), undefined);
});

test('retry-after-ms wins over Retry-After, which wins over x-ratelimit-reset-*', () => {
  const all = new Headers({
    'retry-after-ms': '250',
    'retry-after': '3',
    'x-ratelimit-reset-requests': '6m0s',
  });
  assert.equal(retryAfterFromHeaders(all, { status: 429, now: NOW }), 250);
  all.delete('retry-after-ms');
  assert.equal(retryAfterFromHeaders(all, { status: 429, now: NOW }), 3000);
  all.delete('retry-after');
  assert.equal(retryAfterFromHeaders(all, { status: 429, now: NOW }), 360_000);
});

test('on a 429, the reset of the exhausted budget is used', () => {
  const tokensExhausted = new Headers({
    'x-ratelimit-remaining-requests': '499',
    'x-ratelimit-reset-requests': '120ms',
    'x-ratelimit-remaining-tokens': '0',
    'x-ratelimit-reset-tokens': '6m0s',
  });
  assert.equal(retryAfterFromHeaders(tokensExhausted, { status: 429 }), 360_000);
  const requestsExhausted = new Headers({
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-remaining-tokens': '9000',
    'x-ratelimit-reset-tokens': '6m0s',
  });
  assert.equal(retryAfterFromHeaders(requestsExhausted, { status: 429 }), 1000);
  // Without remaining counts we cannot tell which budget ran out: the sooner reset.
  const unknown = new Headers({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '20ms' });
  assert.equal(retryAfterFromHeaders(unknown, { status: 429 }), 20);
});

test('x-ratelimit-reset-* says nothing about a 5xx, and no headers means no hint', () => {
  const headers = new Headers({ 'x-ratelimit-reset-requests': '1s' });
  assert.equal(retryAfterFromHeaders(headers, { status: 503 }), undefined);
  assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '2' }), { status: 503 }), 2000);
  assert.equal(retryAfterFromHeaders(new Headers(), { status: 429 }), undefined);
  assert.equal(retryAfterFromHeaders(undefined, { status: 429 }), undefined);
});
