/**
 * `compare` from inputs to comparisons: B against A per matching cell (or the cells two
 * selectors pick), validated as the command validates its flags. Returns data; rendering is
 * render-compare.ts's, output the caller's.
 */
import { ConfigError } from '../errors.js';
import { cellsOf, mergeCells } from '../results/cell-samples.js';
import { findMetric, metricNames } from '../results/metric-definitions.js';
import { loadResults } from '../results/results-input.js';
import { initHistograms } from '../stats/histogram.js';
import { compareCells, type Comparison } from './compare-cells.js';
import { matchesSelector, parseSelector } from './select-cells.js';

export interface CompareRequest {
  /** A B [C …] (each against A), or one file with `a` and `b`: paths or results documents. */
  files: readonly unknown[];
  /** Cells of side A: FIELD=VALUE[,…] (e.g. compression=identity) or a sweep cell id. */
  a?: string;
  /** Cells of side B, paired with A on every other setting. */
  b?: string;
  /** Metrics: comma-separated text or a list [default: msgs_per_s, p50, p99, p99_9]. */
  metrics?: string | readonly string[];
}

/** The metric names asked for, checked; undefined for the default set. */
export function checkMetrics(metrics: unknown): string[] | undefined {
  if (metrics === undefined) return undefined;
  const list = Array.isArray(metrics) ? (metrics as unknown[]).map(String) : String(metrics).split(',');
  return list.map((m) => {
    const metric = findMetric(m);
    if (!metric) throw new ConfigError(`--metrics: unknown metric "${m.trim()}"; metrics: ${metricNames()}`);
    return metric.name;
  });
}

/** One comparison per B file (A B C → A/B, A/C), or one for the two selectors. */
export async function runCompare(request: CompareRequest): Promise<Comparison[]> {
  const metrics = checkMetrics(request.metrics);
  const selectorGiven = request.a !== undefined || request.b !== undefined;
  if (selectorGiven && (request.a === undefined || request.b === undefined)) throw new ConfigError('--a and --b go together: give both selectors');
  if (!selectorGiven && request.files.length < 2) throw new ConfigError('compare needs two results files (A B), or one file with --a SELECTOR --b SELECTOR');
  const files = loadResults(request.files, 'files').map(({ source, file }) => ({ source, cells: cellsOf(file, source) }));
  await initHistograms();
  const names = files.map((f) => f.source).join(', ');
  if (selectorGiven) {
    const a = parseSelector('--a', request.a as string);
    const b = parseSelector('--b', request.b as string);
    const all = mergeCells(files.map((f) => f.cells));
    const cellsA = all.filter((c) => matchesSelector(c, a));
    const cellsB = all.filter((c) => matchesSelector(c, b));
    if (cellsA.length === 0) throw new ConfigError(`--a ${a.text} matches no cell of ${names}`);
    if (cellsB.length === 0) throw new ConfigError(`--b ${b.text} matches no cell of ${names}`);
    const omit = [...new Set([...a.fields.keys(), ...b.fields.keys()])];
    const comparison = compareCells(`${names} · ${a.text}`, cellsA, `${names} · ${b.text}`, cellsB, { omit, metrics });
    if (comparison.pairs.length === 0) throw new ConfigError(`no cell of --a ${a.text} has a counterpart in --b ${b.text} with the same other settings`);
    return [comparison];
  }
  const [base, ...others] = files as [(typeof files)[number], ...typeof files];
  return others.map((other) => {
    const comparison = compareCells(base.source, base.cells, other.source, other.cells, { metrics });
    if (comparison.pairs.length === 0) {
      throw new ConfigError(
        `${other.source} has no cell with the workload of a cell in ${base.source}; compare matches cells by workers, connections, streams, in-flight, rate (and pacing in open loop), size, compression, window and max message size`,
      );
    }
    return comparison;
  });
}
