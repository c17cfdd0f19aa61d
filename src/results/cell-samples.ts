/**
 * One view of every results file: cells, each with its completed repetitions. A `run` file is one
 * cell with one repetition; a `sweep` file has its cells; several files merge cells of the same
 * workload, so three `run` files of one workload are one cell with three repetitions.
 */
import type { AxisValue, ResultsFile, RunConfig, RunRecord } from '../types.js';
import { METRICS, type MetricDefinition } from './metric-definitions.js';
import { median } from '../stats/spread.js';
import { workloadKey } from './workload-key.js';

export interface CellSamples {
  /** Sweep cell id, or the workload key for a `run` file. */
  id: string;
  /** Workload key (see workload-key.ts), the match key across files. */
  key: string;
  axes: Record<string, AxisValue>;
  config: RunConfig;
  /** Completed repetitions, in repetition order. */
  runs: RunRecord[];
  /** Repetitions that errored (no RunRecord). */
  failedRepetitions: number;
  /** Files the repetitions came from. */
  sources: string[];
}

export function cellsOf(file: ResultsFile, source: string): CellSamples[] {
  if (file.kind === 'run') {
    const key = workloadKey(file.run.config);
    return [{ id: key, key, axes: {}, config: file.run.config, runs: [file.run], failedRepetitions: 0, sources: [source] }];
  }
  return file.cells.map((cell) => {
    const reps = file.repetitions.filter((r) => r.cellId === cell.id).sort((x, y) => x.repetition - y.repetition);
    return {
      id: cell.id,
      key: workloadKey(cell.config, { axes: cell.axes }),
      axes: cell.axes,
      config: cell.config,
      runs: reps.filter((r) => r.status === 'completed' && r.run !== null).map((r) => r.run as RunRecord),
      failedRepetitions: reps.filter((r) => r.status !== 'completed').length,
      sources: [source],
    };
  });
}

/** Cells of several files, those of the same workload merged into one (repetitions appended). */
export function mergeCells(lists: readonly (readonly CellSamples[])[]): CellSamples[] {
  const byKey = new Map<string, CellSamples>();
  for (const cell of lists.flat()) {
    const seen = byKey.get(cell.key);
    if (!seen) {
      byKey.set(cell.key, { ...cell, runs: [...cell.runs], sources: [...cell.sources] });
    } else {
      seen.runs.push(...cell.runs);
      seen.failedRepetitions += cell.failedRepetitions;
      for (const s of cell.sources) if (!seen.sources.includes(s)) seen.sources.push(s);
    }
  }
  return [...byKey.values()];
}

/** The per-repetition values of a metric. */
export function samplesOf(cell: CellSamples, metric: MetricDefinition): number[] {
  return cell.runs.map((run) => metric.of(run));
}

/** The cell's figure for a metric: median of repetitions, or their sum (errors) or max (max). */
export function cellValue(cell: CellSamples, metric: MetricDefinition): number {
  const values = samplesOf(cell, metric);
  if (values.length === 0) return Number.NaN;
  if (metric.combine === 'sum') return values.reduce((a, b) => a + b, 0);
  if (metric.combine === 'max') return Math.max(...values);
  return median(values);
}

/** Every metric's figure for a cell, by metric name. */
export function cellFigures(cell: CellSamples): Record<string, number> {
  return Object.fromEntries(METRICS.map((m) => [m.name, cellValue(cell, m)]));
}
