import type { TimeSeriesPoint } from '../types.js';
import { boundBackendCounts } from '../stats/backend-seconds.js';
import { sumFields } from './sum-fields.js';

export interface ShardSeries {
  /** Epoch ms of the shard's second 0. */
  startMs: number;
  points: readonly TimeSeriesPoint[];
}

/** Per-second percentiles can't be added (the per-second histograms are not kept): the worst shard's is taken. */
const WORST_OF = new Set(['p50Us', 'p99Us']);

/**
 * The shards' time series on one wall clock: second s of a shard that started d seconds
 * (rounded) after the earliest becomes second s + d. Counts and rates of a second are summed
 * (any numeric field), maps of counts added by name, `warmup` is true if any shard was still
 * warming up, and p50/p99 are the largest of the shards' (an upper bound, not a merged
 * percentile). Returns the points and the merged second 0 (the earliest start).
 */
export function mergeTimeSeries(series: readonly ShardSeries[]): { points: TimeSeriesPoint[]; startMs: number | null } {
  if (series.length === 0) return { points: [], startMs: null };
  const startMs = Math.min(...series.map((s) => s.startMs));
  const bySecond = new Map<number, TimeSeriesPoint[]>();
  for (const s of series) {
    const offset = Math.round((s.startMs - startMs) / 1000);
    for (const point of s.points) {
      const second = point.second + offset;
      bySecond.set(second, [...(bySecond.get(second) ?? []), point]);
    }
  }
  const points = [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, list]) => {
      const summed = sumFields({} as TimeSeriesPoint, list.map(({ second: _s, warmup: _w, ...rest }) => withoutWorst(rest) as TimeSeriesPoint)) as unknown as Record<string, unknown>;
      const worst = Object.fromEntries([...WORST_OF].map((key) => [key, Math.max(0, ...list.map((p) => Number((p as unknown as Record<string, unknown>)[key] ?? 0)))]));
      const point = { second, warmup: list.some((p) => p.warmup), ...summed, ...worst } as TimeSeriesPoint;
      // The shards' per-backend maps were added by name; bound the union as each shard was bounded.
      if (point.backends) point.backends = Object.fromEntries(boundBackendCounts(Object.entries(point.backends)).map((b) => [b.backend, b.received]));
      return point;
    });
  return { points, startMs };
}

function withoutWorst(point: object): object {
  return Object.fromEntries(Object.entries(point).filter(([key]) => !WORST_OF.has(key)));
}
