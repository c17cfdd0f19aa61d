/**
 * `merge`: the shard results files of one run (or one sweep) into one ordinary results file.
 * Refuses (ConfigError, exit 2) files that are not shards, a mix of run and sweep files, files of
 * different runs or configurations, duplicate shards and missing shards (unless allowed).
 */
import { ConfigError } from '../errors.js';
import type { LoadedResults } from '../results/results-input.js';
import { buildRunResultsFile } from '../results/run-file.js';
import type { ResultsFile, RunResultsFile, SweepResultsFile } from '../types.js';
import { checkShards, type ShardPart } from './check-shards.js';
import { mergeRunShards, shardWarningPrefix } from './merge-run-shards.js';
import { mergeSweepShards } from './merge-sweep-shards.js';
import { readShardStamp, type ShardStamp } from './shard-stamp.js';

export interface MergeOptions {
  /** Merge the shards given even when some are missing; the result is marked partial. */
  allowMissing?: boolean;
  now?: Date;
}

export interface MergeOutcome {
  file: ResultsFile;
  /** What the merged file warns about (start skew, missing shards, repetitions not merged). */
  warnings: string[];
}

function notShard(source: string, merged: { count: number } | undefined): ConfigError {
  if (merged !== undefined) return new ConfigError(`${source} is already a merged file (of ${merged.count} shards), not a shard: merge the shard files themselves`);
  return new ConfigError(`${source} is not a shard results file (it has no shard stamp): merge takes the files written by run or sweep --shard K/N --run-id ID`);
}

function stampOf(loaded: LoadedResults): ShardStamp {
  const { file, source } = loaded;
  const stamp = file.kind === 'run' ? readShardStamp(file.run.shard, source, 'run.shard') : readShardStamp(file.shard, source, 'shard');
  if (stamp === null) throw notShard(source, file.kind === 'run' ? file.run.merged : file.merged);
  return stamp;
}

/** The parts of a sweep that must be the same on every shard: its plan. */
function sweepPlan(file: SweepResultsFile): unknown {
  return { profile: file.profile.definition, seed: file.seed, repeat: file.repeat, cells: file.cells };
}

/** Merges validated results files (see loadResults). Await initHistograms() first. */
export function mergeResults(inputs: readonly LoadedResults[], options: MergeOptions = {}): MergeOutcome {
  if (inputs.length === 0) throw new ConfigError('merge needs at least one shard results file');
  const firstRun = inputs.find((i) => i.file.kind === 'run');
  const firstSweep = inputs.find((i) => i.file.kind === 'sweep');
  if (firstRun !== undefined && firstSweep !== undefined) {
    throw new ConfigError(`cannot merge run and sweep files together: ${firstRun.source} is a run file, ${firstSweep.source} a sweep file`);
  }
  const parts: (ShardPart & { file: ResultsFile })[] = inputs.map((loaded) => {
    const stamp = stampOf(loaded);
    const file = loaded.file;
    return file.kind === 'run'
      ? { source: loaded.source, stamp, file, settings: file.run.config, settingsPath: 'run.config' }
      : { source: loaded.source, stamp, file, settings: sweepPlan(file), settingsPath: 'sweep' };
  });
  const set = checkShards(parts, options.allowMissing ?? false);
  const now = options.now ?? new Date();
  if (firstSweep !== undefined) {
    const file = mergeSweepShards(
      parts.map((p) => ({ source: p.source, stamp: p.stamp, file: p.file as SweepResultsFile })),
      set.missing,
      now.toISOString(),
    );
    return { file, warnings: file.merged?.warnings ?? [] };
  }
  const runs = parts.map((p) => ({ source: p.source, stamp: p.stamp, run: (p.file as RunResultsFile).run }));
  const run = mergeRunShards(runs, set.missing);
  const prefixes = runs.map((r) => shardWarningPrefix(r.stamp));
  const ownWarnings = run.warnings.filter((w) => !prefixes.some((p) => w.startsWith(p)));
  return { file: buildRunResultsFile(run, (parts[0]?.file as RunResultsFile).environment, now), warnings: ownWarnings };
}
