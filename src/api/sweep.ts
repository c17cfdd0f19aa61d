import { keepingAffinity } from '../load/measure-run.js';
import { measureSweep, prepareSweep, type SweepOptions } from '../sweep/prepare-sweep.js';
import type { SweepProgress, SweepResultsFile } from '../types.js';
import { checkKnownOptions, CLIENT_SECURITY_OPTION_NAMES, RESILIENCE_OPTION_NAMES, SHARD_OPTION_NAMES, type OptionNames } from './known-options.js';

export interface SweepCallOptions extends SweepOptions {
  /** Aborting stops the sweep; the document keeps the finished repetitions and says `interrupted: true`. */
  signal?: AbortSignal;
  /** Before and after every repetition. */
  onProgress?: (progress: SweepProgress) => void;
  /** The partial document after every finished repetition but the last, e.g. to save it. */
  checkpoint?: (partial: SweepResultsFile) => void;
}

const SWEEP_OPTION_NAMES: OptionNames<SweepCallOptions> = {
  ...CLIENT_SECURITY_OPTION_NAMES,
  ...RESILIENCE_OPTION_NAMES,
  ...SHARD_OPTION_NAMES,
  profile: true,
  target: true,
  allowRemote: true,
  allowPartial: true,
  repeat: true,
  seed: true,
  set: true,
  resume: true,
  signal: true,
  onProgress: true,
  checkpoint: true,
};

/**
 * Every cell of a profile (a shipped name, a path or a document), repeated in a shuffled
 * interleaved order, as `grpc-stream-bench sweep` does it; returns the sweep document. A
 * repetition that failed is recorded (`status: 'errored'`), not thrown. This process's CPU
 * mask is restored afterwards (runs pin the generator, as the CLI does).
 */
export async function sweep(options: SweepCallOptions): Promise<SweepResultsFile> {
  checkKnownOptions('sweep', options, SWEEP_OPTION_NAMES);
  const { signal, onProgress, checkpoint, ...sweepOptions } = options;
  const prepared = prepareSweep(sweepOptions);
  return keepingAffinity(() => measureSweep(prepared, { signal, onProgress, checkpoint }));
}
