import { metricValue } from '@freshet/testkit';

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Cumulative Prometheus histogram buckets: upper bound (seconds, +Inf last) → count. */
export type Buckets = Array<{ le: number; count: number }>;

/** The buckets of histogram `name` in a Prometheus text exposition. */
export function parseHistogram(text: string, name: string): Buckets {
  const out: Buckets = [];
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    out.push({
      le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
      count: Number(line.slice(line.lastIndexOf(' ') + 1)),
    });
  }
  return out.sort((a, b) => a.le - b.le);
}

/** Sum and count of histogram `name` over the series whose labels include all of `labels`. */
export function histogramTotals(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): { sum: number; count: number } {
  return { sum: metricValue(text, `${name}_sum`, labels), count: metricValue(text, `${name}_count`, labels) };
}

/** `after − before`, bucket by bucket: the observations made in between. */
export function bucketDelta(after: Buckets, before: Buckets): Buckets {
  const prior = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) }));
}

/**
 * Quantile q (0..1) of a cumulative histogram, interpolating linearly inside the bucket as Prometheus'
 * histogram_quantile does; NaN when empty. A quantile in the +Inf bucket returns the last finite bound.
 */
export function histogramQuantile(buckets: Buckets, q: number): number {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return lowerBound;
      const inBucket = b.count - lowerCount;
      return inBucket <= 0 ? b.le : lowerBound + ((b.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
