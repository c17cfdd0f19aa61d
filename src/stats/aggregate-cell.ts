import type { CellAggregate, SweepRepetition } from '../types.js';
import { mergeEncoded, encodeHistogram, summarize } from './histogram.js';
import { spreadOf } from './spread.js';

/**
 * The aggregate of one sweep cell over its completed repetitions: median msgs/s with its
 * spread, and the percentiles of the merged latency histogram. Returns null when no
 * repetition of the cell completed. Histograms are WebAssembly: await initHistograms() first.
 */
export function aggregateCell(cellId: string, repetitions: readonly SweepRepetition[]): CellAggregate | null {
  const runs = repetitions.filter((r) => r.cellId === cellId && r.status === 'completed' && r.run !== null).map((r) => r.run!);
  if (runs.length === 0) return null;
  const merged = mergeEncoded(runs.map((run) => run.histograms.latencyUs));
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
