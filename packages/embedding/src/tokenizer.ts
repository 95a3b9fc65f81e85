import { createRequire } from 'node:module';

type Cl100k = typeof import('gpt-tokenizer/encoding/cl100k_base');
type Constants = typeof import('gpt-tokenizer/encodingParams/constants');
let loaded: { encoding: Cl100k; split: RegExp } | undefined;
// Loaded on the first count, not by the import: only the `openai` provider counts cl100k tokens, and the
// encoding's ~100k ranks cost ~20 MB of RSS that an embedder on the `local` or `hash` provider never
// needs (README, Memory). Its CommonJS build, since a require is synchronous.
function cl100k(): { encoding: Cl100k; split: RegExp } {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = {
      encoding: require('gpt-tokenizer/encoding/cl100k_base') as Cl100k,
      split: (require('gpt-tokenizer/encodingParams/constants') as Constants).CL100K_TOKEN_SPLIT_REGEX,
    };
  }
  return loaded;
}
const countCl100k: Cl100k['countTokens'] = (text, options) => cl100k().encoding.countTokens(text, options);
const isWithinTokenLimit: Cl100k['isWithinTokenLimit'] = (text, limit, options) =>
  cl100k().encoding.isWithinTokenLimit(text, limit, options);

/** Per-input limit of text-embedding-3-* and ada-002. */
export const DEFAULT_MAX_INPUT_TOKENS = 8191;

// Product text is data, not a prompt: `<|endoftext|>` in a description is counted as plain text
// (the default of gpt-tokenizer is to throw on it).
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

// gpt-tokenizer's BPE is quadratic in the length of one pre-tokenised piece (measured: a 20,000-letter
// run without spaces takes 0.2 s, 20,000 Han characters 0.7 s). Pieces longer than this are counted in
// windows of this size, which bounds the cost to linear; see `countPiece`.
const LONG_PIECE = 512;

export interface Truncation {
  /** The text, cut at a token boundary when it was too long. */
  text: string;
  /** Tokens of `text` (after the cut). */
  tokens: number;
  truncated: boolean;
}

/** Tokens of `text` in cl100k_base, the encoding of text-embedding-3-* and ada-002. */
export function countTokens(text: string): number {
  if (!hasLongPiece(text)) return countCl100k(text, PLAIN_TEXT);
  let total = 0;
  for (const [piece] of text.matchAll(cl100k().split)) total += countPiece(piece);
  return total;
}

/**
 * Cuts `text` to at most `maxTokens` tokens, at a character boundary (never inside a surrogate
 * pair) so the result is a valid string that re-tokenises to ≤ maxTokens.
 */
export function truncateToTokens(text: string, maxTokens: number = DEFAULT_MAX_INPUT_TOKENS): Truncation {
  if (!(maxTokens >= 0)) throw new RangeError(`maxTokens must be ≥ 0, got ${maxTokens}`);
  // A UTF-16 unit is at most 3 UTF-8 bytes and a token covers at least one byte: no need to look further.
  if (text.length * 3 <= maxTokens) return { text, tokens: countTokens(text), truncated: false };
  if (!hasLongPiece(text)) {
    // One library pass that stops at the limit; the piece walk below is ~4× slower per token.
    const within = isWithinTokenLimit(text, maxTokens, PLAIN_TEXT);
    if (within !== false) return { text, tokens: within, truncated: false };
  }

  let used = 0;
  let end = -1;
  for (const match of text.matchAll(cl100k().split)) {
    const piece = match[0];
    const n = countPiece(piece);
    if (used + n > maxTokens) {
      end = match.index + longestPrefixWithin(piece, maxTokens - used);
      break;
    }
    used += n;
  }
  if (end < 0) return { text, tokens: used, truncated: false };

  // Re-tokenising the cut text can merge differently at its end; shrink until the real count fits.
  let cut = text.slice(0, end);
  let tokens = countTokens(cut);
  while (tokens > maxTokens && cut.length > 0) {
    const drop = Math.min(cut.length, Math.max(1, tokens - maxTokens));
    cut = cut.slice(0, codePointStart(cut, cut.length - drop));
    tokens = countTokens(cut);
  }
  return { text: cut, tokens, truncated: true };
}

/**
 * `text` within `maxTokens` counted by its bound, its UTF-8 bytes (a cl100k token is at least one byte), so
 * the tokenizer runs only for a text that may be over the limit: one whose bytes are. The bound overstates
 * ~4 × for English; it serves where an upper bound is enough (a request's size limit), never a budget.
 */
export function truncateToBound(text: string, maxTokens: number = DEFAULT_MAX_INPUT_TOKENS): Truncation {
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes <= maxTokens ? { text, tokens: bytes, truncated: false } : truncateToTokens(text, maxTokens);
}

function countPiece(piece: string): number {
  if (piece.length <= LONG_PIECE) return countCl100k(piece, PLAIN_TEXT);
  // Windows cut merges only at their edges (a few tokens per 512 characters of a pathological run);
  // truncateToTokens re-checks its result with the same function, so its bound still holds.
  let total = 0;
  for (let start = 0; start < piece.length; ) {
    const end = codePointStart(piece, Math.min(piece.length, start + LONG_PIECE));
    total += countCl100k(piece.slice(start, end), PLAIN_TEXT);
    start = end;
  }
  return total;
}

/**
 * Length in UTF-16 units of a longest prefix of `piece` within `budget` tokens, knowing the whole
 * piece exceeds it. Bisection keeps "prefix(lo) fits, prefix(hi) does not".
 */
function longestPrefixWithin(piece: string, budget: number): number {
  let lo = 0;
  let hi = piece.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (countPiece(piece.slice(0, mid)) <= budget) lo = mid;
    else hi = mid;
  }
  return codePointStart(piece, lo);
}

/** `index` moved back by one if it points between the two halves of a surrogate pair. */
function codePointStart(text: string, index: number): number {
  if (index > 0 && index < text.length && isLowSurrogate(text.charCodeAt(index))) {
    if (isHighSurrogate(text.charCodeAt(index - 1))) return index - 1;
  }
  return index;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// A piece of the split regex is at most one leading character, a run of non-space (\S) characters and a run
// of line breaks, or whitespace only: so a piece longer than LONG_PIECE holds a run of \S or of \s at least
// half as long. Text without such a run (nearly all) cannot have one, and skips a whole pass of the split
// regex per text (~1 s of the embedder's CPU for 15,000 texts; a /\S{256}|\s{256}/ test still cost 0.6 s).
// Runs count UTF-16 units, as piece lengths do.
function hasLongRun(text: string): boolean {
  const half = LONG_PIECE / 2;
  let run = 0;
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (space === inSpace) {
      if (++run >= half) return true;
    } else {
      inSpace = space;
      run = 1;
    }
  }
  return false;
}

/** The characters of JavaScript's `\s` (WhiteSpace and LineTerminator), the regex's notion of space. */
function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function hasLongPiece(text: string): boolean {
  if (text.length <= LONG_PIECE || !hasLongRun(text)) return false;
  for (const [piece] of text.matchAll(cl100k().split)) if (piece.length > LONG_PIECE) return true;
  return false;
}
