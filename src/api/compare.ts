import type { Comparison } from '../compare/compare-cells.js';
import { runCompare } from '../compare/run-compare.js';
import { ConfigError } from '../errors.js';
import type { ResultsInput } from '../results/results-input.js';
import { checkKnownOptions, type OptionNames } from './known-options.js';

export interface CompareOptions {
  /** A B [C …] (each compared with A), or one file with `a` and `b`: paths or results documents. */
  files: readonly ResultsInput[];
  /** Cells of side A: FIELD=VALUE[,…] (e.g. 'compression=identity') or a sweep cell id. */
  a?: string;
  /** Cells of side B, paired with A on every other setting. */
  b?: string;
  /** Metrics [default: msgs_per_s, p50, p99, p99_9]. */
  metrics?: string | readonly string[];
}

const COMPARE_OPTION_NAMES: OptionNames<CompareOptions> = { files: true, a: true, b: true, metrics: true };

/**
 * B against A per matching cell, with significance across repetitions (`verdict: '~'` when a
 * difference is noise), as `grpc-stream-bench compare` computes it. One comparison per B file,
 * or one for the two selectors.
 */
export async function compare(options: CompareOptions): Promise<Comparison[]> {
  checkKnownOptions('compare', options, COMPARE_OPTION_NAMES);
  if (!Array.isArray(options.files)) throw new ConfigError('compare(): files must be a list of results files (paths or documents)');
  return runCompare(options);
}
