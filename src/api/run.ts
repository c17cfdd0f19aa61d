import type { RunOptions, ShardOptions } from '../config/run-options.js';
import { keepingAffinity, measureRun, prepareRun } from '../load/measure-run.js';
import type { LiveProgress } from '../load/run-load.js';
import type { RunResultsFile } from '../types.js';
import { checkKnownOptions, RUN_SETTING_NAMES, SHARD_OPTION_NAMES, type OptionNames } from './known-options.js';

export interface RunCallOptions extends RunOptions, ShardOptions {
  /** Aborting stops the load early; the results keep what was measured (stop reason `interrupted`). */
  signal?: AbortSignal;
  /** Called every second of load with that second's figures over all workers. */
  onProgress?: (progress: LiveProgress) => void;
}

const RUN_OPTION_NAMES: OptionNames<RunCallOptions> = { ...RUN_SETTING_NAMES, ...SHARD_OPTION_NAMES, signal: true, onProgress: true };

/**
 * One load run, as `grpc-stream-bench run` does it, returning the results document instead of
 * writing it. Options are the `run` flags in camelCase with the same defaults; invalid ones
 * throw ConfigError (exitCode 2) with the CLI's message, an unreachable target TargetError
 * (exitCode 3). A run that saw errors is not thrown: see `run.metrics.errorsTotal`. With the
 * embedded server the generator (this process) is pinned for the run, as the CLI pins itself;
 * its CPU mask is restored afterwards.
 */
export async function run(options: RunCallOptions = {}): Promise<RunResultsFile> {
  checkKnownOptions('run', options, RUN_OPTION_NAMES);
  const { signal, onProgress, ...runOptions } = options;
  const prepared = prepareRun(runOptions);
  return keepingAffinity(() => measureRun(prepared, { signal, onProgress }));
}
