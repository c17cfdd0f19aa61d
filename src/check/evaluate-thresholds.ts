/** Thresholds × cells → verdicts (pure). */
import { pairCells, type CellPair, compareMetric } from '../compare/compare-cells.js';
import { ConfigError } from '../errors.js';
import { cellValue, type CellSamples } from '../results/cell-samples.js';
import { formatMetric, formatPercent } from '../report/format-metric.js';
import { MIN_REPETITIONS_FOR_SIGNIFICANCE } from '../stats/significance.js';
import { compareWith, type AbsoluteThreshold, type RelativeThreshold, type Threshold } from './parse-threshold.js';

export type Significance = 'significant' | 'not significant';

export interface Verdict {
  /** The expression as written. */
  threshold: string;
  kind: Threshold['kind'];
  cell: string;
  pass: boolean;
  /** "pass", "pass ~" (beyond the limit, not significant), "FAIL", "FAIL (significant)". */
  verdict: string;
  /** What was measured, e.g. "p99 312 µs" or "-20.1% (38,000 vs 47,500 msgs/s)". */
  observed: string;
  /** One line on why: significance for relative thresholds. */
  reason: string;
  /** Relative thresholds that were tested (both sides have enough repetitions) only. */
  significance: Significance | null;
}

export interface CheckOutcome {
  verdicts: Verdict[];
  passed: number;
  failed: number;
}

/** A candidate cell and its baseline cell (null without a baseline). */
export interface CheckedCell {
  label: string;
  candidate: CellSamples;
  baseline: CellSamples | null;
}

/**
 * Pairs every candidate cell with the baseline cell of the same workload. A candidate cell the
 * baseline lacks is an incompatible baseline (ConfigError, exit 2): a gate must not skip cells.
 */
export function matchBaseline(candidate: readonly CellSamples[], baseline: readonly CellSamples[] | null, baselineName: string): CheckedCell[] {
  if (baseline === null) {
    const { pairs } = pairCells(candidate, candidate);
    return pairs.map((p) => ({ label: p.label, candidate: p.a, baseline: null }));
  }
  const { pairs, onlyA } = pairCells(candidate, baseline);
  if (onlyA.length > 0) {
    const have = baseline.map((c) => c.key).join('; ');
    throw new ConfigError(
      `baseline ${baselineName} is incompatible: it has no cell with the workload of ${candidate.filter((c) => onlyA.includes(c.id)).map((c) => `"${c.key}"`).join(', ')} (baseline cells: ${have || 'none'}); re-create the baseline with the same settings or profile`,
    );
  }
  return pairs.map((p: CellPair) => ({ label: p.label, candidate: p.a, baseline: p.b }));
}

function evaluateAbsolute(t: AbsoluteThreshold, cell: CheckedCell): Verdict {
  const value = cellValue(cell.candidate, t.metric);
  const n = cell.candidate.runs.length;
  const how = n > 1 ? (t.metric.combine === 'median' ? ` (median of ${n})` : t.metric.combine === 'sum' ? ` (sum of ${n})` : ` (max of ${n})`) : '';
  const pass = Number.isFinite(value) && compareWith(value, t.op, t.limit);
  return {
    threshold: t.text,
    kind: 'absolute',
    cell: cell.label,
    pass,
    verdict: pass ? 'pass' : 'FAIL',
    observed: `${t.metric.label} ${formatMetric(value, t.metric.unit)}${how}`,
    reason: Number.isFinite(value) ? `limit ${t.op} ${formatMetric(t.limit, t.metric.unit)}` : n === 0 ? 'no completed repetition' : `${t.metric.name} was not measured in these runs${t.metric.whenMissing ? `: ${t.metric.whenMissing}` : ''}`,
    significance: null,
  };
}

/** A regression in % for messages: "20.0%", or "from 0" when the baseline figure is 0. */
function formatRegress(pct: number): string {
  return Number.isFinite(pct) ? `${pct.toFixed(1)}%` : 'from 0 (+∞%)';
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(3) : ratio > 0 ? '∞' : 'n/a';
}

function untestable(t: RelativeThreshold, cell: CheckedCell, baseline: CellSamples): ConfigError {
  return new ConfigError(
    `threshold "${t.text}" on ${cell.label}: ${baseline.runs.length}+${cell.candidate.runs.length} repetitions cannot show a significant difference; relative thresholds need at least ${MIN_REPETITIONS_FOR_SIGNIFICANCE} repetitions on each side (a sweep, check --repeat ${MIN_REPETITIONS_FOR_SIGNIFICANCE}, or several run files)`,
  );
}

/**
 * A candidate without enough completed repetitions to test, because repetitions errored (or none
 * completed at all): the candidate is broken, a FAIL. Null when the candidate can be tested, or
 * when it simply had too few repetitions planned (invalid input, see untestable).
 */
function brokenCandidate(t: RelativeThreshold, cell: CheckedCell): Verdict | null {
  const done = cell.candidate.runs.length;
  const failed = cell.candidate.failedRepetitions;
  if (done >= MIN_REPETITIONS_FOR_SIGNIFICANCE) return null;
  if (done > 0 && done + failed < MIN_REPETITIONS_FOR_SIGNIFICANCE) return null;
  const errored = failed > 0 ? ` (${failed} errored)` : '';
  return {
    threshold: t.text,
    kind: 'relative',
    cell: cell.label,
    pass: false,
    verdict: 'FAIL',
    observed: done === 0 ? 'no completed repetition' : `${done} of ${done + failed} repetitions completed`,
    reason:
      done === 0
        ? `no completed candidate repetition${errored}: nothing to compare with the baseline`
        : `${failed} candidate repetition${failed === 1 ? '' : 's'} errored: ${done} left, fewer than the ${MIN_REPETITIONS_FOR_SIGNIFICANCE} a significance test needs`,
    significance: null,
  };
}

function evaluateRelative(t: RelativeThreshold, cell: CheckedCell): Verdict {
  if (cell.baseline === null) throw new ConfigError(`threshold "${t.text}" is relative: give --baseline FILE or use --ab`);
  const baseline = cell.baseline;
  // The gate fails only on a significant regression; a baseline too thin to test cannot judge one.
  if (baseline.runs.length < MIN_REPETITIONS_FOR_SIGNIFICANCE) {
    if (baseline.failedRepetitions > 0) {
      throw new ConfigError(
        `threshold "${t.text}" on ${cell.label}: the baseline has ${baseline.runs.length} completed repetition(s) (${baseline.failedRepetitions} errored); relative thresholds need at least ${MIN_REPETITIONS_FOR_SIGNIFICANCE}`,
      );
    }
    throw untestable(t, cell, baseline);
  }
  const broken = brokenCandidate(t, cell);
  if (broken !== null) return broken;
  if (cell.candidate.runs.length < MIN_REPETITIONS_FOR_SIGNIFICANCE) throw untestable(t, cell, baseline);

  const m = compareMetric({ label: cell.label, a: baseline, b: cell.candidate }, t.metric.name);
  const stats = m.stats;
  const regressPct = t.metric.better === 'higher' ? -m.changePct : m.changePct;
  const beyond = t.op === '<' ? regressPct >= t.maxRegressPct : regressPct > t.maxRegressPct;
  // The direction the test saw (per-repetition medians), which for errors and max may differ from the sum / max.
  const testedRegression = t.metric.better === 'higher' ? stats.ratio < 1 : stats.ratio > 1;
  const significance: Significance = stats.significant && testedRegression ? 'significant' : 'not significant';
  const perRepetition =
    m.combine === 'median'
      ? ''
      : `tested per repetition, medians ${formatMetric(stats.medianB, m.unit)} vs ${formatMetric(stats.medianA, m.unit)}: `;
  const tested = `${perRepetition}p=${stats.mannWhitney.p.toFixed(3)} n=${stats.nA}+${stats.nB}`;
  const unit = m.unit === 'µs' || m.unit === '%' ? '' : m.unit === 'count' ? ` ${m.label}` : ` ${m.unit}`;
  const figure = m.combine === 'sum' ? ', sums of the repetitions' : m.combine === 'max' ? ', largest repetition' : '';
  const observed = `${formatPercent(m.changePct)} (${formatMetric(m.b, m.unit)} vs baseline ${formatMetric(m.a, m.unit)}${unit}${figure})`;
  let pass: boolean;
  let verdict: string;
  let reason: string;
  if (!beyond) {
    pass = true;
    verdict = 'pass';
    reason = `within ${t.maxRegressPct}% (${tested})`;
  } else if (significance === 'significant') {
    pass = false;
    verdict = 'FAIL (significant)';
    const i = stats.interval;
    reason = `regressed ${formatRegress(regressPct)}, significant (${tested}, 95% CI of ratio ${formatRatio(i.low)}–${formatRatio(i.high)})`;
  } else {
    pass = true;
    verdict = 'pass ~';
    reason = `~ regressed ${formatRegress(regressPct)}, beyond ${t.maxRegressPct}% but not significant (${tested})`;
  }
  return { threshold: t.text, kind: 'relative', cell: cell.label, pass, verdict, observed, reason, significance };
}

/** Every threshold on every cell. */
export function evaluateThresholds(thresholds: readonly Threshold[], cells: readonly CheckedCell[]): CheckOutcome {
  const verdicts: Verdict[] = [];
  for (const t of thresholds) for (const cell of cells) verdicts.push(t.kind === 'absolute' ? evaluateAbsolute(t, cell) : evaluateRelative(t, cell));
  const failed = verdicts.filter((v) => !v.pass).length;
  return { verdicts, passed: verdicts.length - failed, failed };
}
