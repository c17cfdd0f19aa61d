/** Pairs cells of two sides and compares their repetitions metric by metric (pure). */
import type { CellSamples } from '../results/cell-samples.js';
import { cellValue, samplesOf } from '../results/cell-samples.js';
import { COMPARE_METRICS, metricByName, type MetricUnit } from '../results/metric-definitions.js';
import { varyingLabels, workloadKey } from '../results/workload-key.js';
import { compareSamples, type SampleComparison } from '../stats/significance.js';

export type ChangeVerdict = 'better' | 'worse' | '~';

export interface MetricComparison {
  metric: string;
  label: string;
  unit: MetricUnit;
  better: 'higher' | 'lower';
  /** The cell figures (median of repetitions). */
  a: number;
  b: number;
  /** (b / a − 1) × 100. */
  changePct: number;
  /** Per-repetition values. */
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

export function compareMetric(pair: CellPair, metricName: string): MetricComparison {
  const metric = metricByName(metricName);
  const samplesA = samplesOf(pair.a, metric);
  const samplesB = samplesOf(pair.b, metric);
  const stats = compareSamples(samplesA, samplesB);
  const a = cellValue(pair.a, metric);
  const b = cellValue(pair.b, metric);
  const changePct = a === 0 ? (b === 0 ? 0 : Number.POSITIVE_INFINITY) : (b / a - 1) * 100;
  const improved = metric.better === 'higher' ? stats.ratio > 1 : stats.ratio < 1;
  return {
    metric: metric.name,
    label: metric.label,
    unit: metric.unit,
    better: metric.better,
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
    pairs: pairs.map((pair) => ({ label: pair.label, aId: pair.a.id, bId: pair.b.id, metrics: metrics.map((m) => compareMetric(pair, m)) })),
    onlyA,
    onlyB,
  };
}
