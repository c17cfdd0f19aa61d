/**
 * grpc-stream-bench as a library: the commands as typed functions that return data and throw
 * typed errors. They never print, never exit the process and never install signal handlers
 * (pass an AbortSignal to stop a run); the CLI (src/cli/) is a thin layer over the same code.
 *
 *   import { serve, run } from 'grpc-stream-bench';
 */
export { run } from './api/run.js';
export { sweep } from './api/sweep.js';
export { serve } from './api/serve.js';
export { compare } from './api/compare.js';
export { check } from './api/check.js';
export { report } from './api/report.js';
export { merge } from './api/merge.js';

export { BenchError, ConfigError, ExitCode, TargetError } from './errors.js';
export { runExitCode } from './load/measure-run.js';
export { sweepExitCode } from './sweep/prepare-sweep.js';
export { COMPRESSIONS, PACINGS, RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION } from './types.js';

/* ---- Options and results of the functions ---- */
export type { RunCallOptions as RunOptions } from './api/run.js';
export type { SweepCallOptions as SweepOptions } from './api/sweep.js';
export type { ServeCallOptions as ServeOptions, ServeHandle } from './api/serve.js';
export type { CompareOptions } from './api/compare.js';
export type { CheckCallOptions as CheckOptions, CheckResult } from './api/check.js';
export type { ReportOptions } from './api/report.js';
export type { MergeCallOptions as MergeOptions } from './api/merge.js';
export type { MergeOutcome } from './merge/merge-results.js';
export type { Bytes, ClientSecurityOptions, LoadOptions, ResilienceOptions, ShardOptions } from './config/run-options.js';
export type { ProfileDocument, SettingOverrides } from './profile/load-profile.js';
export type { ResultsInput } from './results/results-input.js';
export type { ReportFormat } from './report/build-report.js';
export type { ServerTlsOptions } from './security/server-tls.js';
export type { ExitCodeValue } from './errors.js';
export type { LiveProgress } from './load/run-load.js';
export type { ChangeVerdict, Comparison, MetricComparison, PairComparison } from './compare/compare-cells.js';
export type { SampleComparison } from './stats/significance.js';
export type { Verdict } from './check/evaluate-thresholds.js';

/* ---- The results documents ---- */
export type {
  AuthDescriptor,
  AxisValue,
  BreakerTransition,
  CellAggregate,
  Compression,
  Counters,
  CpuPlacement,
  EngineName,
  Environment,
  LatencySummary,
  MergedShard,
  MergeInfo,
  Outage,
  Pacing,
  ResilienceConfig,
  ResultsFile,
  RunConfig,
  RunMetrics,
  ShardInfo,
  RunRecord,
  RunResultsFile,
  SecurityMode,
  Spread,
  StopReason,
  SweepCell,
  SweepMergeInfo,
  SweepProgress,
  SweepRepetition,
  SweepResultsFile,
  TimeSeriesPoint,
  WireBytes,
} from './types.js';
