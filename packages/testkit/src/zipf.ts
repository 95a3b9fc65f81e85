/**
 * Zipf(s) ranks over 1..n by rejection-inversion (Hörmann & Derflinger 1996, as in Apache Commons
 * RNG's RejectionInversionZipfSampler): O(1) per draw with no table, so n may grow between draws
 * (the catalog grows as products are created).
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly sBound: number;

  constructor(readonly exponent: number) {
    if (!(exponent > 0)) throw new RangeError(`Zipf exponent must be > 0, got ${exponent}`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.sBound = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** A rank in 1..n: rank 1 is the most frequent, P(k) ∝ k^-s. */
  sample(n: number, random: () => number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`Zipf n must be an integer ≥ 1, got ${n}`);
    const hIntegralN = this.hIntegral(n + 0.5);
    for (;;) {
      const u = hIntegralN + random() * (this.hIntegralX1 - hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= this.sBound || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // numerical guard of the reference implementation
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x)/x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/** Exact Zipf probabilities of ranks 1..n (for tests and for reasoning about skew). */
export function zipfProbabilities(n: number, exponent: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => (i + 1) ** -exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}
