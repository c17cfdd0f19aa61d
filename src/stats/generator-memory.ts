/**
 * The generator's memory over a run, from the time series (RSS and heaps sampled every second):
 * its peak, the first and last quarters of the measured window, and the leak warning.
 */
import type { GeneratorMemory, TimeSeriesPoint } from '../types.js';

/** RSS growth between the first and last quarter of the measured window above which a run warns. */
export const RSS_GROWTH_WARNING = 0.2;
/** Measured seconds with an RSS sample needed to compare quarters. */
export const MIN_MEMORY_POINTS = 4;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function peakOf(points: readonly TimeSeriesPoint[], pick: (p: TimeSeriesPoint) => number | undefined): number | null {
  const values = points.map(pick).filter((v): v is number => v !== undefined);
  return values.length === 0 ? null : Math.max(...values);
}

/** The seconds of the measured window with an RSS sample: not warm-up, not after `windowEndS` (the drain). */
function measuredPoints(series: readonly TimeSeriesPoint[], windowEndS: number): TimeSeriesPoint[] {
  return series.filter((p) => !p.warmup && p.second <= windowEndS && p.rssMiB !== undefined);
}

/**
 * RSS over the measured seconds (warm-up and the seconds after `windowEndS` — warm-up + duration,
 * when the run has one — excluded): the peak and the means of the first and last quarter (at
 * least one second each). Null when no measured second has an RSS sample.
 */
export function summarizeGeneratorMemory(series: readonly TimeSeriesPoint[], windowEndS = Number.POSITIVE_INFINITY): GeneratorMemory | null {
  const measured = measuredPoints(series, windowEndS);
  if (measured.length === 0) return null;
  const rss = measured.map((p) => p.rssMiB as number);
  const quarter = Math.max(1, Math.floor(rss.length / 4));
  return {
    peakRssMiB: round1(Math.max(...rss)),
    firstQuarterRssMiB: round1(mean(rss.slice(0, quarter))),
    lastQuarterRssMiB: round1(mean(rss.slice(-quarter))),
    peakHeapUsedMiB: peakOf(measured, (p) => p.heapUsedMiB),
    peakWorkerHeapUsedMiB: peakOf(measured, (p) => p.workerHeapUsedMiB),
  };
}

/**
 * "generator RSS grew from X MiB to Y MiB (+Z%) during the measured window: a leak?" when the
 * last quarter's RSS is more than 20% above the first quarter's; null otherwise, or when the
 * window is too short (fewer than MIN_MEMORY_POINTS measured seconds) to tell.
 */
export function memoryGrowthWarning(series: readonly TimeSeriesPoint[], windowEndS = Number.POSITIVE_INFINITY): string | null {
  const measured = measuredPoints(series, windowEndS).length;
  const memory = summarizeGeneratorMemory(series, windowEndS);
  if (memory === null || measured < MIN_MEMORY_POINTS || memory.firstQuarterRssMiB <= 0) return null;
  const growth = memory.lastQuarterRssMiB / memory.firstQuarterRssMiB - 1;
  if (growth <= RSS_GROWTH_WARNING) return null;
  return `generator RSS grew from ${memory.firstQuarterRssMiB} MiB to ${memory.lastQuarterRssMiB} MiB (+${Math.round(growth * 100)}%) during the measured window: a leak? (first vs last quarter of the window; RSS includes the worker threads)`;
}
