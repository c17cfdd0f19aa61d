/**
 * A Prometheus histogram whose buckets are counted elsewhere (from HDR histograms), exposed
 * through prom-client. prom-client's own Histogram only learns values one `observe()` at a
 * time; a registry, though, takes any metric object with a name, help, type and `get()`, and
 * formats the values `get()` returns: this is that object.
 */
import type { Metric, Registry } from 'prom-client';

/** One label set of the histogram, cumulative since it first appeared. */
export interface HistogramSeries {
  labels: Record<string, string>;
  /** Values at or below each bound (cumulative), in the order of the bounds. */
  atOrBelow: readonly number[];
  /** Every value (the +Inf bucket and `_count`). */
  total: number;
  /** Sum of the values, in the unit of the exported metric. */
  sum: number;
}

export interface ExactHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds (`le`), ascending, in the unit of the exported metric. */
  bounds: readonly number[];
  /** The series to expose, read at every scrape. */
  series: () => Iterable<HistogramSeries>;
}

interface ValueLine {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Registers the histogram in `registry`; its values are read from `options.series` at scrape time. */
export function registerExactHistogram(registry: Registry, options: ExactHistogramOptions): void {
  const { name, help, bounds } = options;
  const le = bounds.map(formatBound);
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => {
      const values: ValueLine[] = [];
      for (const s of options.series()) {
        le.forEach((bound, i) => values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: bound }, value: s.atOrBelow[i] ?? 0 }));
        values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.total });
        values.push({ metricName: `${name}_sum`, labels: s.labels, value: s.sum });
        values.push({ metricName: `${name}_count`, labels: s.labels, value: s.total });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  // Not one of prom-client's classes, but everything its Registry reads from one (name, get()).
  registry.registerMetric(metric as unknown as Metric);
}

/** A bound as a plain decimal (`0.00005`, not `5e-5`), as Prometheus client libraries print `le`. */
export function formatBound(value: number): string {
  const text = String(value);
  return text.includes('e-') ? value.toFixed(12).replace(/0+$/, '') : text;
}
