/** Formats a metric's figure by its unit. */
import type { MetricUnit } from '../results/metric-definitions.js';
import { formatCount, formatMicros } from './format.js';

export function formatMetric(value: number, unit: MetricUnit): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'µs') return formatMicros(value);
  if (unit === 'MiB/s') return value.toFixed(2);
  if (unit === '%') return `${value.toFixed(1)}%`;
  return formatCount(value);
}

export function formatPercent(pct: number, digits = 1): string {
  if (!Number.isFinite(pct)) return pct > 0 ? '+∞%' : 'n/a';
  const fixed = pct.toFixed(digits);
  return `${pct > 0 && Number(fixed) !== 0 ? '+' : ''}${Number(fixed) === 0 ? (0).toFixed(digits) : fixed}%`;
}

/** ±: how far the farthest repetition lies from the median, in % of the median. */
export function formatSpread(samples: readonly number[], median: number): string {
  if (samples.length < 2 || median === 0 || !Number.isFinite(median)) return '';
  const worst = Math.max(...samples.map((s) => Math.abs(s - median)));
  return `±${Math.round((worst / median) * 100)}%`;
}
