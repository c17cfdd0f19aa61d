import type { CellAggregate, RunRecord, SweepRepetition } from '../types.js';
import { mergeEncoded, encodeHistogram, summarize, type Histogram } from './histogram.js';
import { spreadOf } from './spread.js';

/** The latency histogram of runs merged into one (a cell's repetitions); the caller must destroy() it. */
function mergeRunLatencies(runs: readonly RunRecord[]): Histogram {
  return mergeEncoded(runs.map((run) => run.histograms.latencyUs));
}

/**
 * A cell's latency over its repetitions: their histograms merged, encoded; null without a run.
 * The same merge as the cell's aggregate, so a report's .hgrm and the sweep file agree.
 */
export function mergedLatencyHistogram(runs: readonly RunRecord[]): string | null {
  if (runs.length === 0) return null;
  const merged = mergeRunLatencies(runs);
  try {
    return encodeHistogram(merged);
  } finally {
    merged.destroy();
  }
}

/**
 * The aggregate of one sweep cell over its completed repetitions: median msgs/s with its
 * spread, and the percentiles of the merged latency histogram. Returns null when no
 * repetition of the cell completed. Histograms are WebAssembly: await initHistograms() first.
 */
export function aggregateCell(cellId: string, repetitions: readonly SweepRepetition[]): CellAggregate | null {
  const runs = repetitions.filter((r) => r.cellId === cellId && r.status === 'completed' && r.run !== null).map((r) => r.run!);
  if (runs.length === 0) return null;
  const merged = mergeRunLatencies(runs);
  try {
    return {
      cellId,
      repetitions: runs.length,
      msgsPerS: spreadOf(runs.map((run) => run.metrics.msgsPerS)),
      latencyUs: summarize(merged),
      histogram: encodeHistogram(merged),
      errorsTotal: runs.reduce((sum, run) => sum + run.metrics.errorsTotal, 0),
    };
  } finally {
    merged.destroy();
  }
}

/** Aggregates of every cell that has at least one completed repetition, in cell order. */
export function aggregateCells(cellIds: readonly string[], repetitions: readonly SweepRepetition[]): CellAggregate[] {
  return cellIds.map((id) => aggregateCell(id, repetitions)).filter((a): a is CellAggregate => a !== null);
}
