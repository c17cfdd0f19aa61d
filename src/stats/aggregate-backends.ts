/**
 * Per-backend figures of a run: the workers' backend tallies summed and their histograms merged
 * by backend key, exactly as the totals are. Additive: merging runs (or files) by backend key
 * gives the same figures as one run.
 */
import type { BackendMetrics, WorkerBackend } from '../types.js';
import { addTally } from './aggregate.js';
import { mergeEncodedToEncoded, summarizeEncoded } from './histogram.js';

export interface MergedBackends {
  /** Sorted by backend. */
  metrics: BackendMetrics[];
  /** Encoded latency histogram (µs) per backend. */
  histograms: Record<string, string>;
}

/** Merges the workers' per-backend results; msgs/s over the run's measured `durationS`. */
export function mergeBackends(perWorker: readonly (readonly WorkerBackend[] | undefined)[], durationS: number): MergedBackends {
  const byKey = new Map<string, WorkerBackend[]>();
  for (const list of perWorker) for (const b of list ?? []) byKey.set(b.backend, [...(byKey.get(b.backend) ?? []), b]);
  const metrics: BackendMetrics[] = [];
  const histograms: Record<string, string> = {};
  for (const backend of [...byKey.keys()].sort()) {
    const parts = byKey.get(backend) as WorkerBackend[];
    const histogram = mergeEncodedToEncoded(parts.map((p) => p.histogram));
    const errorsByStatus: Record<string, number> = {};
    for (const p of parts) addTally(errorsByStatus, p.errorsByStatus);
    const inWindow = sum(parts.map((p) => p.receivedInWindow));
    metrics.push({
      backend,
      streamsOpened: sum(parts.map((p) => p.streamsOpened)),
      received: sum(parts.map((p) => p.received)),
      msgsPerS: durationS > 0 ? Math.round((inWindow / durationS) * 100) / 100 : 0,
      latencyUs: summarizeEncoded([histogram]),
      errorsByStatus,
    });
    histograms[backend] = histogram;
  }
  return { metrics, histograms };
}

/**
 * (max − min) / mean of the backends' msgs/s, in percent; null with fewer than two backends or
 * no throughput at all.
 */
export function backendImbalancePct(backends: readonly Pick<BackendMetrics, 'msgsPerS'>[] | undefined): number | null {
  if (backends === undefined || backends.length < 2) return null;
  const rates = backends.map((b) => b.msgsPerS);
  const mean = sum(rates) / rates.length;
  if (mean <= 0) return null;
  return (Math.max(...rates) - Math.min(...rates)) / mean * 100;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
