import type { Spread } from '../types.js';

/**
 * Quantile of ascending `sorted` values by linear interpolation between closest ranks
 * (the "R-7" / numpy default method): p = 0 is the minimum, p = 1 the maximum. Infinite
 * values are allowed (a bootstrap of ratios against a zero median holds ∞).
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty list');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must be from 0 to 1, got ${p}`);
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  // Equal neighbours (also ±∞, where ∞ − ∞ would make NaN) need no interpolation.
  if (a === b) return a;
  return a + (b - a) * (position - lower);
}

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

/** Median, extremes and quartiles of a non-empty list of numbers. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantileSorted(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
  };
}

/** Interquartile range relative to the median (0 when the median is 0): a unitless noise figure. */
export function relativeIqr(spread: Spread): number {
  return spread.median === 0 ? 0 : (spread.q3 - spread.q1) / spread.median;
}
