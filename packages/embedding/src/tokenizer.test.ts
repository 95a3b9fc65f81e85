import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens, truncateToTokens } from './tokenizer.js';

// In a `u` regex a surrogate pair is one code point, so \p{Cs} only matches a lone half.
const LONE_SURROGATE = /\p{Cs}/u;
const exact = (text: string): number => encode(text, { disallowedSpecial: new Set() }).length;

const SAMPLES: Record<string, string> = {
  ascii: 'Wireless noise-cancelling over-ear headphones, 30 h battery, Bluetooth 5.3. ',
  vietnamese: 'Tai nghe không dây chống ồn, pin 30 giờ, âm thanh sống động và rõ ràng. ',
  chinese: '无线降噪耳机，蓝牙五点三，续航三十小时，佩戴舒适，音质出色。',
  emoji: '🎧🔥👍🏽 headphones 🇻🇳 ',
};

test('counts cl100k_base tokens, the encoding of text-embedding-3-*', () => {
  assert.equal(countTokens('hello world'), 2);
  assert.equal(countTokens(''), 0);
  for (const [language, text] of Object.entries(SAMPLES)) {
    assert.equal(countTokens(text), exact(text), language);
    assert.ok(countTokens(text) > 0, language);
  }
});

test('special-token strings inside product text are counted as plain text, not rejected', () => {
  const text = 'cable <|endoftext|> adapter';
  assert.equal(countTokens(text), exact(text));
  assert.ok(countTokens(text) > 3);
});

test('text within the limit is returned whole with its token count', () => {
  for (const text of Object.values(SAMPLES)) {
    const result = truncateToTokens(text, 8191);
    assert.deepEqual(result, { text, tokens: exact(text), truncated: false });
  }
});

test('truncated text is a prefix that re-tokenises to at most the limit, in every script', () => {
  for (const [language, sample] of Object.entries(SAMPLES)) {
    const text = sample.repeat(200);
    for (const limit of [1, 7, 100, 333]) {
      const result = truncateToTokens(text, limit);
      assert.equal(result.truncated, true, `${language} ${limit}`);
      assert.ok(text.startsWith(result.text), `${language} ${limit}: not a prefix`);
      assert.ok(!LONE_SURROGATE.test(result.text), `${language} ${limit}: cut inside a surrogate pair`);
      assert.equal(result.tokens, exact(result.text), `${language} ${limit}: reported count is wrong`);
      assert.ok(result.tokens <= limit, `${language} ${limit}: ${result.tokens} tokens`);
      // The cut wastes at most a few tokens of the budget (a multi-token character at the edge).
      assert.ok(result.tokens >= limit - 4, `${language} ${limit}: only ${result.tokens} tokens kept`);
    }
  }
});

test('the default limit is the 8,191 tokens of text-embedding-3-*', () => {
  const text = SAMPLES.ascii!.repeat(2000);
  const result = truncateToTokens(text);
  assert.equal(result.truncated, true);
  assert.ok(result.tokens <= 8191 && result.tokens >= 8185, `${result.tokens}`);
  assert.equal(exact(result.text), result.tokens);
});

test('a limit of zero keeps nothing', () => {
  assert.deepEqual(truncateToTokens('some words here and more words to be sure', 0), {
    text: '',
    tokens: 0,
    truncated: true,
  });
});

test('a huge run without spaces is counted in bounded time and close to the exact count', () => {
  const han = Array.from({ length: 3000 }, (_, i) =>
    String.fromCodePoint(0x4e00 + ((i * 7919) % 20000)),
  ).join('');
  const approx = countTokens(han);
  const real = exact(han);
  assert.ok(Math.abs(approx - real) / real < 0.02, `${approx} vs ${real}`);

  const started = performance.now();
  const long = 'a'.repeat(200_000);
  const tokens = countTokens(long);
  const truncated = truncateToTokens(long, 8191);
  const elapsed = performance.now() - started;
  // The library alone takes ~25 s on this input (quadratic BPE); windows keep it linear.
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  assert.ok(tokens > 20_000 && tokens < 30_000, `${tokens}`);
  assert.ok(truncated.tokens <= 8191 && truncated.tokens > 8000, `${truncated.tokens}`);
});
