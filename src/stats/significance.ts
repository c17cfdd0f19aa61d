/**
 * Is the difference between two sets of repetitions real? Two tests on the per-repetition values:
 *
 * - a percentile bootstrap confidence interval of the ratio of medians (B / A), seeded so the
 *   same inputs always give the same interval;
 * - the Mann–Whitney U test (exact distribution of the rank sum, midranks for ties, up to 50
 *   values; normal approximation with tie correction beyond).
 *
 * A change is significant when the interval excludes 1 and the U test agrees at
 * `SIGNIFICANCE_ALPHA` (two-sided, i.e. half of it in the direction of the change). With 3
 * repetitions a side that needs every B beyond every A (p = 0.10, the smallest possible);
 * fewer repetitions can never be significant (`testable` is false).
 */
import { seededRandom } from './seeded-random.js';
import { median, quantileSorted } from './spread.js';

/** Two-sided; 0.05 in the direction of the change. */
export const SIGNIFICANCE_ALPHA = 0.1;

/** Repetitions per side below which no Mann–Whitney p can reach SIGNIFICANCE_ALPHA (3+3 gives p = 0.1). */
export const MIN_REPETITIONS_FOR_SIGNIFICANCE = 3;
export const BOOTSTRAP_CONFIDENCE = 0.95;
export const BOOTSTRAP_RESAMPLES = 10_000;
export const BOOTSTRAP_SEED = 20_240_601;

/** b / a, with 0 / 0 = 1 (no change). */
export function ratioOf(a: number, b: number): number {
  if (a === 0) return b === 0 ? 1 : Number.POSITIVE_INFINITY;
  return b / a;
}

export interface RatioInterval {
  /** median(b) / median(a). */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

/** Percentile bootstrap CI of median(b) / median(a), resampling each side with replacement. */
export function bootstrapRatioOfMedians(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): RatioInterval {
  if (a.length === 0 || b.length === 0) throw new RangeError('bootstrapRatioOfMedians needs at least one value on each side');
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? BOOTSTRAP_CONFIDENCE;
  const random = seededRandom(options.seed ?? BOOTSTRAP_SEED);
  const draw = (values: readonly number[], into: number[]): number => {
    for (let i = 0; i < values.length; i++) into[i] = values[Math.floor(random() * values.length)] as number;
    return median(into);
  };
  const bufA = new Array<number>(a.length);
  const bufB = new Array<number>(b.length);
  const ratios = new Array<number>(resamples);
  for (let i = 0; i < resamples; i++) ratios[i] = ratioOf(draw(a, bufA), draw(b, bufB));
  ratios.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return { ratio: ratioOf(median(a), median(b)), low: quantileSorted(ratios, tail), high: quantileSorted(ratios, 1 - tail), confidence };
}

export interface MannWhitneyResult {
  /** U of sample a: pairs (a, b) with a > b, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/** Midranks (1-based) of the pooled values. */
function midranks(pooled: readonly number[]): number[] {
  const order = pooled.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(pooled.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as { value: number }).value === (order[i] as { value: number }).value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[(order[k] as { index: number }).index] = rank;
    i = j + 1;
  }
  return ranks;
}

const EXACT_LIMIT = 50;

/** Mann–Whitney U test, two-sided. */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { u: 0, p: 1, method: 'exact' };
  const ranks = midranks([...a, ...b]);
  const rankSumA = ranks.slice(0, n).reduce((s, r) => s + r, 0);
  const u = rankSumA - (n * (n + 1)) / 2;
  const meanU = (n * m) / 2;
  if (n + m <= EXACT_LIMIT) {
    // Exact permutation distribution of the doubled rank sum of a (midranks × 2 are integers).
    const doubled = ranks.map((r) => Math.round(r * 2));
    const maxSum = doubled.reduce((s, r) => s + r, 0);
    // ways[k][s]: number of k-subsets with doubled rank sum s.
    let ways: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(maxSum + 1));
    (ways[0] as Float64Array)[0] = 1;
    for (const r of doubled) {
      const next = ways.map((row) => row.slice());
      for (let k = 0; k < n; k++) {
        const from = ways[k] as Float64Array;
        const to = next[k + 1] as Float64Array;
        for (let s = 0; s + r <= maxSum; s++) if (from[s] !== 0) to[s + r] = (to[s + r] as number) + (from[s] as number);
      }
      ways = next;
    }
    const dist = ways[n] as Float64Array;
    const observed = Math.round(rankSumA * 2);
    const center = n * (n + m + 1); // doubled mean rank sum
    const distance = Math.abs(observed - center);
    let total = 0;
    let extreme = 0;
    for (let s = 0; s <= maxSum; s++) {
      const w = dist[s] as number;
      if (w === 0) continue;
      total += w;
      if (Math.abs(s - center) >= distance - 1e-9) extreme += w;
    }
    return { u, p: Math.min(1, extreme / total), method: 'exact' };
  }
  // Normal approximation with tie correction and continuity correction.
  const counts = new Map<number, number>();
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
  const N = n + m;
  const tieTerm = [...counts.values()].reduce((s, t) => s + (t * t * t - t), 0);
  const variance = ((n * m) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(u - meanU) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - standardNormalCdf(z))), method: 'normal' };
}

/** Φ(z), Abramowitz–Stegun 7.1.26 erf (|error| < 1.5e-7). */
export function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The smallest two-sided p the exact U test can give for these sample sizes: 2 / C(n+m, n). */
export function minimumPValue(n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  let combinations = 1;
  for (let i = 1; i <= Math.min(n, m); i++) combinations = (combinations * (n + m - Math.min(n, m) + i)) / i;
  return Math.min(1, 2 / combinations);
}

export interface SampleComparison {
  nA: number;
  nB: number;
  medianA: number;
  medianB: number;
  /** medianB / medianA. */
  ratio: number;
  interval: RatioInterval;
  mannWhitney: MannWhitneyResult;
  /** Enough repetitions for the U test to reach SIGNIFICANCE_ALPHA at all. */
  testable: boolean;
  /** Interval excludes 1 and the U test agrees. */
  significant: boolean;
}

/** Compares the per-repetition values of A and B. */
export function compareSamples(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): SampleComparison {
  const interval = bootstrapRatioOfMedians(a, b, options);
  const mannWhitney = mannWhitneyU(a, b);
  const testable = minimumPValue(a.length, b.length) <= SIGNIFICANCE_ALPHA + 1e-12;
  const excludesOne = interval.low > 1 || interval.high < 1;
  return {
    nA: a.length,
    nB: b.length,
    medianA: median(a),
    medianB: median(b),
    ratio: interval.ratio,
    interval,
    mannWhitney,
    testable,
    significant: testable && excludesOne && mannWhitney.p <= SIGNIFICANCE_ALPHA + 1e-12,
  };
}
