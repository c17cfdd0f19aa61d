import { mergeResults, type MergeOutcome } from '../merge/merge-results.js';
import { loadResults, type ResultsInput } from '../results/results-input.js';
import { initHistograms } from '../stats/histogram.js';
import { ConfigError } from '../errors.js';
import { checkKnownOptions, type OptionNames } from './known-options.js';

export interface MergeCallOptions {
  /** The shard results files of one run or sweep: paths or documents (what run() and sweep() return). */
  files: readonly ResultsInput[];
  /** Merge even when shards are missing; the result is marked partial [default: false]. */
  allowMissing?: boolean;
}

const MERGE_OPTION_NAMES: OptionNames<MergeCallOptions> = { files: true, allowMissing: true };

/**
 * The shard results of one run (or sweep) merged into one results document, as
 * `grpc-stream-bench merge` does, returned instead of written. Files that are not shards of one
 * run and configuration, duplicate shards, and missing shards without `allowMissing` throw
 * ConfigError (exitCode 2).
 */
export async function merge(options: MergeCallOptions): Promise<MergeOutcome> {
  checkKnownOptions('merge', options, MERGE_OPTION_NAMES);
  if (!Array.isArray(options.files)) throw new ConfigError('merge(): files must be a list of shard results files (paths or documents)');
  if (options.allowMissing !== undefined && typeof options.allowMissing !== 'boolean') {
    throw new ConfigError(`merge(): allowMissing must be true or false, got ${JSON.stringify(options.allowMissing)}`);
  }
  const inputs = loadResults(options.files, 'files');
  await initHistograms();
  return mergeResults(inputs, { allowMissing: options.allowMissing ?? false });
}
