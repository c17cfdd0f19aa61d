/**
 * One `run` from options to results document, in two steps so a caller can act between
 * validation and load (the CLI opens its observers there): `prepareRun` validates everything
 * before any I/O beyond reading credential files; `measureRun` runs the load. Neither prints,
 * writes a results file or handles signals: that is the caller's (the CLI's) business.
 */
import { resolveRunConfig, type Machine } from '../config/resolve-run.js';
import { localMachine, runInputFromOptions, type RunOptions, type ShardOptions, type Unchecked } from '../config/run-options.js';
import { resolveShard, type ResolvedShard } from '../config/resolve-shard.js';
import { shardPart } from '../plan/shard-run.js';
import { checkShardTarget } from './shard-stamp.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { RunObserver } from '../observe/observer.js';
import { describeEnvironment } from '../results/environment.js';
import { buildRunResultsFile } from '../results/run-file.js';
import { runHasErrors } from '../stats/aggregate.js';
import type { ClientCredentials, RunConfig, RunRecord, RunResultsFile } from '../types.js';
import { canPin, pinProcess, readAffinity } from './cpu-affinity.js';
import { executeRun } from './execute-run.js';
import type { LiveProgress } from './run-load.js';

export interface PreparedRun {
  config: RunConfig;
  /** The client's TLS and token sources for an external target; null for plaintext. */
  credentials: ClientCredentials | null;
  /** This process's part of a sharded run (--shard, --run-id, --start-at); null for a whole run. */
  shard: ResolvedShard | null;
}

export interface MeasureRunHooks {
  /** Aborting stops the load early; what was measured is kept (stop reason `interrupted`). */
  signal?: AbortSignal;
  /** Every second of load, over all workers. */
  onProgress?: (progress: LiveProgress) => void;
  /** Watching the run (the CLI's live page and Prometheus exporter). */
  observer?: RunObserver;
}

/** Validates run options as the `run` flags are validated (ConfigError naming the flag). */
export function prepareRun(options: Unchecked<RunOptions & ShardOptions>, machine: Machine = localMachine()): PreparedRun {
  const { shard: shardOption, runId, startAt, ...runOptions } = options;
  const input = runInputFromOptions(runOptions);
  const config = resolveRunConfig(input, machine);
  const shard = resolveShard({ shard: shardOption, runId, startAt });
  if (shard !== null) {
    checkShardTarget(config, shard);
    shardPart(config, shard);
  }
  return { config, credentials: input.credentials ?? null, shard };
}

/** Runs the load and returns the results document (not written anywhere). */
export async function measureRun(prepared: PreparedRun, hooks: MeasureRunHooks = {}): Promise<RunResultsFile> {
  const run = await executeRun({
    config: prepared.config,
    credentials: prepared.credentials,
    signal: hooks.signal,
    observer: hooks.observer,
    onProgress: hooks.onProgress,
    shard: prepared.shard,
  });
  return buildRunResultsFile(run, describeEnvironment());
}

/** The exit code a finished run maps to: 130 interrupted, 4 with errors, else 0. */
export function runExitCode(run: RunRecord): ExitCodeValue {
  if (run.stop.reason === 'interrupted') return ExitCode.interrupted;
  if (runHasErrors(run)) return ExitCode.runErrors;
  return ExitCode.ok;
}

/**
 * Runs `work`, then gives this process back the CPUs it could use before: a run pins the
 * generator, which is the calling process. The CLI exits after its run; a library caller goes
 * on, so the API puts the mask back (best effort: a failure to restore is not an error).
 */
export async function keepingAffinity<T>(work: () => Promise<T>): Promise<T> {
  const before = canPin() ? readAffinity(process.pid) : null;
  try {
    return await work();
  } finally {
    if (before !== null && readAffinity(process.pid) !== before) {
      try {
        pinProcess(process.pid, before);
      } catch {
        // The process stays pinned; nothing else depends on it.
      }
    }
  }
}
