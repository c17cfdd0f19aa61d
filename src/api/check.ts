import type { Verdict } from '../check/evaluate-thresholds.js';
import { summaryLine } from '../check/render-verdicts.js';
import { checkExitCode, runCheck, type CheckOptions } from '../check/run-check.js';
import type { SweepProgress, SweepResultsFile } from '../types.js';
import { checkKnownOptions, RUN_SETTING_NAMES, type OptionNames } from './known-options.js';

export interface CheckCallOptions extends CheckOptions {
  /** Aborting stops what check measures; check then throws BenchError with exitCode 130 (no verdict). */
  signal?: AbortSignal;
  /** Before and after every repetition check measures. */
  onProgress?: (progress: SweepProgress) => void;
  /** What check measured, as soon as it is measured (also when interrupted), e.g. to save it. */
  onMeasured?: (file: SweepResultsFile) => void;
}

export interface CheckResult {
  /** Every threshold passed on every cell. */
  passed: boolean;
  /** What `grpc-stream-bench check` exits with: 0 passed, 5 a threshold failed. */
  exitCode: 0 | 5;
  /** One per threshold and cell, each quoting its threshold as written. */
  verdicts: Verdict[];
  /** How many verdicts failed. */
  failed: number;
  /** "check passed: all 3 threshold checks passed" / "check failed: 1 of 3 threshold checks failed". */
  summary: string;
  /** What was checked against what (the lines the CLI prints above its table). */
  context: string[];
  /** What check measured (a sweep document, e.g. the next baseline); null when it checked given results. */
  measured: SweepResultsFile | null;
}

const CHECK_OPTION_NAMES: OptionNames<CheckCallOptions> = {
  ...RUN_SETTING_NAMES,
  thresholds: true,
  baseline: true,
  results: true,
  profile: true,
  ab: true,
  candidateTarget: true,
  candidate: true,
  repeat: true,
  seed: true,
  signal: true,
  onProgress: true,
  onMeasured: true,
};

/**
 * The CI gate: thresholds (absolute, or relative to a baseline with significance) on given
 * results or on what check measures, as `grpc-stream-bench check` does. Invalid input throws
 * ConfigError (exitCode 2); a failed threshold is data: `passed: false`, `exitCode: 5`.
 */
export async function check(options: CheckCallOptions): Promise<CheckResult> {
  checkKnownOptions('check', options, CHECK_OPTION_NAMES);
  const { signal, onProgress, onMeasured, ...checkOptions } = options;
  const { outcome, context, measured } = await runCheck(checkOptions, { signal, onProgress, onMeasured });
  const exitCode = checkExitCode(outcome);
  return { passed: outcome.failed === 0, exitCode, verdicts: outcome.verdicts, failed: outcome.failed, summary: summaryLine(outcome), context, measured };
}
