/** Anything with `get(name)`: the fetch `Headers` the openai SDK exposes on its errors, or a Map. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * How long the server asks us to wait, in ms, or undefined when it does not say.
 * Order: `retry-after-ms` (OpenAI, fractional ms), then `Retry-After` (delta-seconds or HTTP-date,
 * RFC 9110 §10.2.3), then — only for a 429 — OpenAI's `x-ratelimit-reset-{requests,tokens}`:
 * the reset of whichever budget is exhausted (remaining 0), or else the sooner of the two, since
 * those headers say when the budget is full again, not when one more request fits.
 */
export function retryAfterFromHeaders(
  headers: HeaderSource | undefined,
  options: { status?: number | undefined; now?: number } = {},
): number | undefined {
  if (!headers) return undefined;
  const ms = parseNumber(headers.get('retry-after-ms'));
  if (ms !== undefined) return ms;
  const after = parseRetryAfter(headers.get('retry-after'), options.now ?? Date.now());
  if (after !== undefined) return after;
  if (options.status !== 429) return undefined;

  const resets: Array<{ ms: number; exhausted: boolean }> = [];
  for (const budget of ['requests', 'tokens']) {
    const reset = parseDuration(headers.get(`x-ratelimit-reset-${budget}`));
    if (reset === undefined) continue;
    const remaining = parseNumber(headers.get(`x-ratelimit-remaining-${budget}`));
    resets.push({ ms: reset, exhausted: remaining !== undefined && remaining <= 0 });
  }
  const exhausted = resets.filter((r) => r.exhausted);
  if (exhausted.length > 0) return Math.max(...exhausted.map((r) => r.ms));
  if (resets.length > 0) return Math.min(...resets.map((r) => r.ms));
  return undefined;
}

/** `Retry-After`: a non-negative number of seconds, or an HTTP-date (a past date means 0). */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Date.parse reads "-5" as a year: an HTTP-date always has a month name.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** Go-style durations as OpenAI sends them: "6m0s", "1s", "20ms", "1h2m3.5s", "0.5s". */
export function parseDuration(value: string | null | undefined): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000); // bare number: seconds
  const part = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/y;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    index = part.lastIndex;
  }
  return Math.round(total);
}

function parseNumber(value: string | null | undefined): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
