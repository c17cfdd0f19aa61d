/**
 * The only module that touches hdr-histogram-js. Latency is recorded in microseconds, from
 * 1 µs to 60 s with 3 significant digits; histograms cross threads only encoded
 * (compressed base64) and are merged exactly.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../types.js';

export type Histogram = hdr.Histogram;

export const LOWEST_US = 1;
export const HIGHEST_US = 60_000_000;
export const SIGNIFICANT_DIGITS = 3;

let wasmReady: Promise<void> | undefined;

/** Loads the WebAssembly histogram implementation; once per thread. */
export function initHistograms(): Promise<void> {
  wasmReady ??= hdr.initWebAssembly();
  return wasmReady;
}

/** An empty latency histogram; the caller must destroy() it. */
export function createLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: true,
  });
}

/** Records a latency in µs, clamped into the trackable range. */
export function recordLatency(histogram: Histogram, micros: number): void {
  histogram.recordValue(micros < 0 ? 0 : micros > HIGHEST_US ? HIGHEST_US : Math.round(micros));
}

/** Adds every value of `source` to `target`. */
export function addHistogram(target: Histogram, source: Histogram): void {
  target.add(source);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Decodes and adds encoded histograms into one new histogram; the caller must destroy() it. */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const total = createLatencyHistogram();
  for (const text of encoded) {
    const part = hdr.decodeFromCompressedBase64(text, 64, true);
    total.add(part);
    part.destroy();
  }
  return total;
}

/** Merges encoded histograms into one encoded histogram. */
export function mergeEncodedToEncoded(encoded: readonly string[]): string {
  const merged = mergeEncoded(encoded);
  try {
    return encodeHistogram(merged);
  } finally {
    merged.destroy();
  }
}

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, stdev: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  return {
    count,
    min: histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue,
    mean: round2(histogram.mean),
    stdev: round2(histogram.stdDeviation),
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    p9999: histogram.getValueAtPercentile(99.99),
    // Same bucket-resolution value whether the histogram was recorded here or decoded.
    max: histogram.getValueAtPercentile(100),
  };
}

export function summarizeEncoded(encoded: readonly string[]): LatencySummary {
  const merged = mergeEncoded(encoded);
  try {
    return summarize(merged);
  } finally {
    merged.destroy();
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * HdrHistogram's percentile distribution text (`.hgrm`, as `outputPercentileDistribution`
 * prints it): columns Value, Percentile, TotalCount, 1/(1-Percentile), then Mean, StdDeviation,
 * Max, Total count, Buckets, SubBuckets. Values are divided by `unitScalingRatio` (1000: µs → ms).
 */
export function percentileDistributionText(encoded: string, unitScalingRatio = 1000, ticksPerHalfDistance = 5): string {
  // The JS implementation: the WebAssembly one mis-formats fractions (0.050 printed as 0.500).
  const histogram = hdr.decodeFromCompressedBase64(encoded, 64, false);
  try {
    return histogram.outputPercentileDistribution(ticksPerHalfDistance, unitScalingRatio);
  } finally {
    histogram.destroy();
  }
}

/** A histogram's counts at chosen bounds, for exporters with fixed buckets (Prometheus). */
export interface BoundCounts {
  /** Recorded values at or below each bound (cumulative, in the order of the bounds). */
  atOrBelow: number[];
  /** Every recorded value (the +Inf bucket). */
  total: number;
  /** Sum of the recorded values, each taken as its HDR bucket's median equivalent value, µs. */
  sumUs: number;
}

/**
 * Counts the values of an encoded (µs) histogram at or below each of `boundsUs` (ascending),
 * read from its buckets, not from percentiles. Exact for bounds below 2048 µs, where every
 * HDR bucket is one µs wide; above, a bound falls inside a bucket at most 0.1% of it wide, and
 * that whole bucket counts as at or below the bound.
 */
export function countAtOrBelow(encoded: string, boundsUs: readonly number[]): BoundCounts {
  // The JS implementation exposes its counts array; the WebAssembly one does not.
  const histogram = hdr.decodeFromCompressedBase64(encoded, 64, false);
  try {
    if (!(histogram instanceof hdr.JsHistogram)) throw new Error('hdr-histogram-js did not decode into a JsHistogram');
    const atOrBelow = boundsUs.map(() => 0);
    let total = 0;
    let sumUs = 0;
    let bound = 0;
    for (let index = 0; index < histogram.countsArrayLength && total < histogram.totalCount; index++) {
      const count = histogram.getCountAtIndex(index);
      if (count === 0) continue;
      const value = histogram.valueFromIndex(index);
      while (bound < boundsUs.length && value > (boundsUs[bound] ?? Infinity)) bound++;
      if (bound < boundsUs.length) atOrBelow[bound] = (atOrBelow[bound] ?? 0) + count;
      total += count;
      sumUs += count * histogram.medianEquivalentValue(value);
    }
    for (let i = 1; i < atOrBelow.length; i++) atOrBelow[i] = (atOrBelow[i] ?? 0) + (atOrBelow[i - 1] ?? 0);
    return { atOrBelow, total, sumUs };
  } finally {
    histogram.destroy();
  }
}
