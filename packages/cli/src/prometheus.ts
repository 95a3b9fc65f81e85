/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses what prom-client serves on /metrics (text format 0.0.4). Written here rather than taken from npm:
 * the one parser there is unmaintained and untyped, and `status` needs samples only, not metadata.
 */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(LABEL)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const value =
      match[3] === '+Inf'
        ? Number.POSITIVE_INFINITY
        : match[3] === '-Inf'
          ? Number.NEGATIVE_INFINITY
          : Number(match[3]);
    out.push({ name: match[1]!, labels, value });
  }
  return out;
}

function labelled(samples: readonly Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** Sum of a series' samples whose labels include `labels`; null when the series is absent. */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | null {
  const found = labelled(samples, name, labels);
  return found.length === 0 ? null : found.reduce((sum, s) => sum + s.value, 0);
}

/**
 * The q-quantile of a histogram from its cumulative `_bucket` samples, interpolated linearly inside the
 * bucket as PromQL's histogram_quantile does; null when it has no observations.
 */
export function histogramQuantile(
  samples: readonly Sample[],
  name: string,
  q: number,
  labels: Record<string, string> = {},
): number | null {
  const byLe = new Map<number, number>();
  for (const s of labelled(samples, `${name}_bucket`, labels)) {
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return quantileFromBuckets(
    [...byLe].sort((a, b) => a[0] - b[0]),
    q,
  );
}

/** Cumulative buckets [upper bound, count] sorted by bound, the last one +Inf. */
export function quantileFromBuckets(
  buckets: ReadonlyArray<readonly [number, number]>,
  q: number,
): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      // Above the highest finite bound nothing is known but that bound (PromQL does the same).
      if (le === Number.POSITIVE_INFINITY) return lowerBound;
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

/** Bucket-wise difference of two scrapes of one histogram: what was observed between them. */
export function bucketDelta(
  before: readonly Sample[],
  after: readonly Sample[],
  name: string,
): Array<[number, number]> {
  const read = (samples: readonly Sample[]) => {
    const m = new Map<number, number>();
    for (const s of samples.filter((x) => x.name === `${name}_bucket`)) {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      m.set(le, (m.get(le) ?? 0) + s.value);
    }
    return m;
  };
  const a = read(before);
  return [...read(after)]
    .map(([le, count]): [number, number] => [le, count - (a.get(le) ?? 0)])
    .sort((x, y) => x[0] - y[0]);
}
