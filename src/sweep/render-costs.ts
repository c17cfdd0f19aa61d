import { formatMetric } from '../report/format-metric.js';
import { renderTable } from '../report/format.js';
import { cellFigures, cellsOf } from '../results/cell-samples.js';
import { metricByName } from '../results/metric-definitions.js';
import { varyingLabels } from '../results/workload-key.js';
import type { SweepResultsFile } from '../types.js';

/** The figures of the cost table, in column order. */
const COST_METRICS = ['msgs_per_s', 'p50', 'p99', 'cpu_us_per_msg', 'server_cpu_us_per_msg', 'connect_p50', 'connections', 'setup_p50', 'streams_per_s'] as const;

/** Sweeps that vary what a connection or a call costs: security, stream churn, connection churn. */
export function sweepMeasuresSetupCosts(file: SweepResultsFile): boolean {
  const churned = (n: number | null | undefined): boolean => n !== null && n !== undefined;
  return file.cells.some((c) => (c.config.security !== undefined && c.config.security !== 'plaintext') || churned(c.config.messagesPerStream) || churned(c.config.connectionChurn));
}

/**
 * One row per cell with what each setting costs: throughput, latency, CPU per message on both
 * sides, connection set-up (TCP + TLS) and call set-up latency; medians over the repetitions.
 */
export function renderCostTable(file: SweepResultsFile): string {
  const cells = cellsOf(file, 'sweep');
  const labels = varyingLabels(cells.map((c) => c.key));
  const metrics = COST_METRICS.map((name) => metricByName(name));
  const rows = cells.map((cell, i) => {
    const figures = cellFigures(cell);
    return [labels[i] as string, ...metrics.map((m) => formatMetric(figures[m.name] ?? Number.NaN, m.unit))];
  });
  return renderTable(['cell', ...metrics.map((m) => m.label)], rows);
}
