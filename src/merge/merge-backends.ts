/**
 * Per-backend figures (`run.metrics.backends`, `run.histograms.backendsUs`) of shards merged by
 * backend key: histograms added exactly, counters summed, msgs/s over the merged window.
 */
import { mergeEncodedToEncoded, summarizeEncoded } from '../stats/histogram.js';
import type { LatencySummary } from '../types.js';
import { sumFields } from './sum-fields.js';

/** The fields merge relies on; any other numeric field or map of counts is summed as it is. */
export interface BackendFigures {
  backend: string;
  msgsPerS: number;
  latencyUs?: LatencySummary;
  [field: string]: unknown;
}

export interface ShardBackends {
  backends: readonly BackendFigures[] | undefined;
  histograms: Readonly<Record<string, string>> | undefined;
  /** The shard's measured duration, s (its msgs/s × this = its messages in window). */
  durationS: number;
}

export interface MergedBackends {
  backends: BackendFigures[];
  histograms: Record<string, string> | undefined;
}

/** Null when no shard has per-backend figures. */
export function mergeBackends(shards: readonly ShardBackends[], durationS: number): MergedBackends | null {
  if (shards.every((s) => s.backends === undefined)) return null;
  const keys = [...new Set(shards.flatMap((s) => (s.backends ?? []).map((b) => b.backend)))];
  const withHistograms = shards.some((s) => s.histograms !== undefined);
  const histograms: Record<string, string> = {};
  const backends = keys.map((key) => {
    const parts = shards.flatMap((s) => (s.backends ?? []).filter((b) => b.backend === key).map((b) => ({ figures: b, shard: s })));
    const counted: Record<string, unknown> = sumFields({} as BackendFigures, parts.map(({ figures: { backend: _b, msgsPerS: _m, latencyUs: _l, ...rest } }) => rest as BackendFigures));
    const inWindow = parts.reduce((n, { figures, shard }) => n + figures.msgsPerS * shard.durationS, 0);
    const encoded = parts.map(({ shard }) => shard.histograms?.[key]).filter((h): h is string => h !== undefined);
    const merged: BackendFigures = { backend: key, ...counted, msgsPerS: durationS > 0 ? Math.round((inWindow / durationS) * 100) / 100 : 0 };
    if (encoded.length > 0) {
      histograms[key] = mergeEncodedToEncoded(encoded);
      merged.latencyUs = summarizeEncoded([histograms[key]]);
    } else if (parts[0]?.figures.latencyUs !== undefined) {
      // Without histograms percentiles can't be merged: keep the worst shard's.
      merged.latencyUs = parts.map((p) => p.figures.latencyUs as LatencySummary).reduce((a, b) => (b.p99 > a.p99 ? b : a));
    }
    return merged;
  });
  return { backends, histograms: withHistograms ? histograms : undefined };
}
