/** Pairs cells of two sides and compares their repetitions metric by metric (pure). */
import type { CellSamples } from '../results/cell-samples.js';
import { cellValue, samplesOf } from '../results/cell-samples.js';
import { COMPARE_METRICS, metricByName, type MetricDefinition, type MetricUnit } from '../results/metric-definitions.js';
import { varyingLabels, workloadKey } from '../results/workload-key.js';
import { compareSamples, SIGNIFICANCE_ALPHA, type SampleComparison } from '../stats/significance.js';

export type ChangeVerdict = 'better' | 'worse' | '~';

export interface MetricComparison {
  metric: string;
  label: string;
  unit: MetricUnit;
  better: 'higher' | 'lower';
  /**
   * How `a` and `b` combine the repetitions. For 'sum' (errors) and 'max' (max) the figures and
   * the change are of the sums / maxima, while p and the interval test the per-repetition values.
   */
  combine: MetricDefinition['combine'];
  /** The cell figures (median of repetitions, or their sum / max, see `combine`). */
  a: number;
  b: number;
  /** (b / a − 1) × 100; +∞ from a zero figure (a = 0, b > 0). */
  changePct: number;
  /** Per-repetition values, what the statistics test. */
  samplesA: number[];
  samplesB: number[];
  stats: SampleComparison;
  /** '~' when not significant (or too few repetitions to tell). */
  verdict: ChangeVerdict;
}

export interface CellPair {
  /** What identifies the pair: the workload fields that vary, or the whole key. */
  label: string;
  a: CellSamples;
  b: CellSamples;
}

export interface PairComparison {
  label: string;
  aId: string;
  bId: string;
  /** Completed repetitions of each side. */
  nA: number;
  nB: number;
  /** Why no statistics were computed, e.g. "no completed repetition on side A (3 errored)"; null when compared. */
  skipped: string | null;
  /** Empty when skipped. */
  metrics: MetricComparison[];
}

export interface Comparison {
  aName: string;
  bName: string;
  pairs: PairComparison[];
  /** Cells of A with no match in B, and the other way round. */
  onlyA: string[];
  onlyB: string[];
}

/** Pairs cells of A and B whose workload keys are equal once the `omit` fields are dropped. */
export function pairCells(a: readonly CellSamples[], b: readonly CellSamples[], omit: readonly string[] = []): { pairs: CellPair[]; onlyA: string[]; onlyB: string[] } {
  const keyOf = (c: CellSamples): string => workloadKey(c.config, { omit, axes: c.axes });
  const bByKey = new Map<string, CellSamples>();
  for (const cell of b) if (!bByKey.has(keyOf(cell))) bByKey.set(keyOf(cell), cell);
  const pairs: CellPair[] = [];
  const used = new Set<CellSamples>();
  const onlyA: string[] = [];
  for (const cell of a) {
    const match = bByKey.get(keyOf(cell));
    if (match && !used.has(match)) {
      used.add(match);
      pairs.push({ label: keyOf(cell), a: cell, b: match });
    } else onlyA.push(cell.id);
  }
  const labels = varyingLabels(pairs.map((p) => p.label));
  pairs.forEach((pair, i) => (pair.label = labels[i] ?? pair.label));
  return { pairs, onlyA, onlyB: b.filter((c) => !used.has(c)).map((c) => c.id) };
}

/**
 * Why a pair cannot be compared: a side without any completed repetition (an interrupted sweep,
 * or every repetition errored). Null when both sides have at least one.
 */
export function missingSide(pair: CellPair): string | null {
  const errored = (cell: CellSamples): string => (cell.failedRepetitions > 0 ? ` (${cell.failedRepetitions} errored)` : '');
  const emptyA = pair.a.runs.length === 0;
  const emptyB = pair.b.runs.length === 0;
  if (emptyA && emptyB) {
    const failed = pair.a.failedRepetitions + pair.b.failedRepetitions;
    return `no completed repetition on either side${failed > 0 ? ` (${pair.a.failedRepetitions}+${pair.b.failedRepetitions} errored)` : ''}`;
  }
  if (emptyA) return `no completed repetition on side A${errored(pair.a)}`;
  if (emptyB) return `no completed repetition on side B${errored(pair.b)}`;
  return null;
}

/** Compares one metric of a pair; both sides need a completed repetition (see missingSide). */
export function compareMetric(pair: CellPair, metricName: string): MetricComparison {
  const metric = metricByName(metricName);
  const samplesA = samplesOf(pair.a, metric);
  const samplesB = samplesOf(pair.b, metric);
  const stats = compareSamples(samplesA, samplesB);
  const a = cellValue(pair.a, metric);
  const b = cellValue(pair.b, metric);
  const changePct = a === 0 ? (b === 0 ? 0 : Number.POSITIVE_INFINITY) : (b / a - 1) * 100;
  // The direction the test saw: of the per-repetition medians, whatever the cell figure combines.
  const improved = metric.better === 'higher' ? stats.ratio > 1 : stats.ratio < 1;
  return {
    metric: metric.name,
    label: metric.label,
    unit: metric.unit,
    better: metric.better,
    combine: metric.combine,
    a,
    b,
    changePct,
    samplesA,
    samplesB,
    stats,
    verdict: stats.significant ? (improved ? 'better' : 'worse') : '~',
  };
}

export function compareCells(
  aName: string,
  a: readonly CellSamples[],
  bName: string,
  b: readonly CellSamples[],
  options: { omit?: readonly string[]; metrics?: readonly string[] } = {},
): Comparison {
  const { pairs, onlyA, onlyB } = pairCells(a, b, options.omit);
  const metrics = options.metrics ?? COMPARE_METRICS;
  return {
    aName,
    bName,
    pairs: pairs.map((pair) => {
      const skipped = missingSide(pair);
      return {
        label: pair.label,
        aId: pair.a.id,
        bId: pair.b.id,
        nA: pair.a.runs.length,
        nB: pair.b.runs.length,
        skipped,
        metrics: skipped === null ? metrics.map((m) => compareMetric(pair, m)) : [],
      };
    }),
    onlyA,
    onlyB,
  };
}

export interface SignificanceCount {
  /** Metric comparisons flagged significant. */
  significant: number;
  /** Metric comparisons with enough repetitions to be flagged at all. */
  testable: number;
  /** About how many of `testable` would be flagged if nothing had changed: α × testable. */
  expectedByChance: number;
}

/**
 * How many comparisons are significant, against how many chance alone would flag: each
 * testable comparison is flagged with probability up to α when nothing changed, so among many
 * cells and metrics some will be.
 */
export function countSignificant(comparison: Comparison): SignificanceCount {
  const tested = comparison.pairs.flatMap((p) => p.metrics).filter((m) => m.stats.testable);
  return {
    significant: tested.filter((m) => m.stats.significant).length,
    testable: tested.length,
    expectedByChance: tested.length * SIGNIFICANCE_ALPHA,
  };
}
