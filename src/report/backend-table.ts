/** Per-backend figures as table rows (summary, markdown and HTML reports share them). */
import { backendImbalancePct } from '../stats/aggregate-backends.js';
import { addTally } from '../stats/aggregate.js';
import { mergeEncodedToEncoded, summarizeEncoded } from '../stats/histogram.js';
import type { BackendMetrics, RunRecord } from '../types.js';
import { formatCount, formatMicros } from './format.js';

export const BACKEND_HEADER = ['backend', 'streams', 'echoes', 'msgs/s', 'p50', 'p99', 'p99.9', 'errors'];

function errorsCell(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([name, n]) => `${name} ×${formatCount(n)}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

export function backendRows(backends: readonly BackendMetrics[]): string[][] {
  return backends.map((b) => [
    b.backend,
    formatCount(b.streamsOpened),
    formatCount(b.received),
    formatCount(b.msgsPerS),
    formatMicros(b.latencyUs.p50),
    formatMicros(b.latencyUs.p99),
    formatMicros(b.latencyUs.p999),
    errorsCell(b.errorsByStatus),
  ]);
}

/** "imbalance 4.2% ((max − min) / mean of the backends' msgs/s)", for two backends or more (n/a without throughput). */
export function describeImbalance(backends: readonly BackendMetrics[] | undefined): string {
  const pct = backendImbalancePct(backends);
  return pct === null ? 'imbalance n/a (no throughput)' : `imbalance ${pct.toFixed(1)}% ((max − min) / mean of the backends' msgs/s)`;
}

/** Whether a run has per-backend figures worth a table of their own (two backends or more). */
export function hasSeveralBackends(backends: readonly BackendMetrics[] | undefined): backends is BackendMetrics[] {
  return backends !== undefined && backends.length >= 2;
}

/**
 * The backends of a cell over its repetitions: counts summed, latency from the merged per-backend
 * histograms (when the files have them), msgs/s the median of the repetitions.
 */
export function cellBackends(runs: readonly RunRecord[]): BackendMetrics[] {
  const byKey = new Map<string, { metrics: BackendMetrics[]; histograms: string[] }>();
  for (const run of runs) {
    for (const b of run.metrics.backends ?? []) {
      const entry = byKey.get(b.backend) ?? { metrics: [], histograms: [] };
      entry.metrics.push(b);
      const h = run.histograms.backendsUs?.[b.backend];
      if (h !== undefined) entry.histograms.push(h);
      byKey.set(b.backend, entry);
    }
  }
  return [...byKey.keys()].sort().map((backend) => {
    const { metrics, histograms } = byKey.get(backend) as { metrics: BackendMetrics[]; histograms: string[] };
    const errorsByStatus: Record<string, number> = {};
    for (const m of metrics) addTally(errorsByStatus, m.errorsByStatus);
    const rates = metrics.map((m) => m.msgsPerS).sort((a, b) => a - b);
    const mid = Math.floor(rates.length / 2);
    return {
      backend,
      streamsOpened: metrics.reduce((a, m) => a + m.streamsOpened, 0),
      received: metrics.reduce((a, m) => a + m.received, 0),
      msgsPerS: rates.length % 2 === 1 ? (rates[mid] as number) : ((rates[mid - 1] as number) + (rates[mid] as number)) / 2,
      latencyUs: histograms.length === metrics.length && metrics.length > 1 ? summarizeEncoded([mergeEncodedToEncoded(histograms)]) : (metrics[0] as BackendMetrics).latencyUs,
      errorsByStatus,
    };
  });
}
