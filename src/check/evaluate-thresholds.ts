/** Thresholds × cells → verdicts (pure). */
import { pairCells, type CellPair, compareMetric } from '../compare/compare-cells.js';
import { ConfigError } from '../errors.js';
import { cellValue, type CellSamples } from '../results/cell-samples.js';
import { formatMetric, formatPercent } from '../report/format-metric.js';
import { compareWith, type AbsoluteThreshold, type RelativeThreshold, type Threshold } from './parse-threshold.js';

export type Significance = 'significant' | 'not significant';

export interface Verdict {
  /** The expression as written. */
  threshold: string;
  cell: string;
  pass: boolean;
  /** "pass", "pass ~" (beyond the limit, not significant), "FAIL", "FAIL (significant)". */
  verdict: string;
  /** What was measured, e.g. "p99 312 µs" or "-20.1% (38,000 vs 47,500 msgs/s)". */
  observed: string;
  /** One line on why: significance for relative thresholds. */
  reason: string;
  /** Relative thresholds only. */
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
    cell: cell.label,
    pass,
    verdict: pass ? 'pass' : 'FAIL',
    observed: `${t.metric.label} ${formatMetric(value, t.metric.unit)}${how}`,
    reason: Number.isFinite(value) ? `limit ${t.op} ${formatMetric(t.limit, t.metric.unit)}` : 'no completed repetition',
    significance: null,
  };
}

function evaluateRelative(t: RelativeThreshold, cell: CheckedCell): Verdict {
  if (cell.baseline === null) throw new ConfigError(`threshold "${t.text}" is relative: give --baseline FILE or use --ab`);
  const m = compareMetric({ label: cell.label, a: cell.baseline, b: cell.candidate }, t.metric.name);
  if (!m.stats.testable) {
    // The gate fails only on a significant regression; with too few repetitions none can be shown.
    throw new ConfigError(
      `threshold "${t.text}" on ${cell.label}: ${m.stats.nA}+${m.stats.nB} repetitions cannot show a significant difference; relative thresholds need at least 3 repetitions on each side (a sweep, check --repeat 3, or several run files)`,
    );
  }
  const regressPct = t.metric.better === 'higher' ? -m.changePct : m.changePct;
  const beyond = t.op === '<' ? regressPct >= t.maxRegressPct : regressPct > t.maxRegressPct;
  const stats = m.stats;
  const tested = `p=${stats.mannWhitney.p.toFixed(3)} n=${stats.nA}+${stats.nB}`;
  const significance: Significance = stats.significant && regressPct > 0 ? 'significant' : 'not significant';
  const observed = `${formatPercent(m.changePct)} (${formatMetric(m.b, m.unit)} vs baseline ${formatMetric(m.a, m.unit)}${m.unit === 'µs' ? '' : ` ${m.unit}`})`;
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
    reason = `regressed ${regressPct.toFixed(1)}%, significant (${tested}, 95% CI of ratio ${i.low.toFixed(3)}–${i.high.toFixed(3)})`;
  } else {
    pass = true;
    verdict = 'pass ~';
    reason = `~ regressed ${regressPct.toFixed(1)}%, beyond ${t.maxRegressPct}% but not significant (${tested})`;
  }
  return { threshold: t.text, cell: cell.label, pass, verdict, observed, reason, significance };
}

/** Every threshold on every cell. */
export function evaluateThresholds(thresholds: readonly Threshold[], cells: readonly CheckedCell[]): CheckOutcome {
  const verdicts: Verdict[] = [];
  for (const t of thresholds) for (const cell of cells) verdicts.push(t.kind === 'absolute' ? evaluateAbsolute(t, cell) : evaluateRelative(t, cell));
  const failed = verdicts.filter((v) => !v.pass).length;
  return { verdicts, passed: verdicts.length - failed, failed };
}
