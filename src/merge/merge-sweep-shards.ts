/**
 * Shard files of one sweep merged into one sweep: each repetition (cell, repetition) merged from
 * the shards that ran it, then the cells aggregated as a sweep does. A repetition missing,
 * errored or late on a shard is not merged: it is kept as an errored repetition and reported.
 */
import { aggregateCells } from '../stats/aggregate-cell.js';
import type { SweepMergeInfo, SweepRepetition, SweepResultsFile } from '../types.js';
import { mergeRunShards, partialLabel, START_SKEW_WARN_MS, type ShardRun } from './merge-run-shards.js';
import { readShardStamp, shardLabel, type ShardStamp } from './shard-stamp.js';

export interface SweepShard {
  source: string;
  stamp: ShardStamp;
  file: SweepResultsFile;
}

/** A repetition whose slot started this late (ms) on a shard is not merged. */
export const LATE_TOLERANCE_MS = START_SKEW_WARN_MS;

function isLate(stamp: ShardStamp): boolean {
  return stamp.late && (stamp.lateByMs === 0 || stamp.lateByMs > LATE_TOLERANCE_MS);
}

const repKey = (r: Pick<SweepRepetition, 'cellId' | 'repetition'>): string => `${r.cellId}#${r.repetition}`;

/** Merges the sweeps (already checked: one run id, one plan); `missing` lists shards not given. Await initHistograms() first. */
export function mergeSweepShards(given: readonly SweepShard[], missing: readonly number[], createdAt: string): SweepResultsFile {
  const shards = [...given].sort((a, b) => a.stamp.index - b.stamp.index);
  const first = shards[0];
  if (first === undefined) throw new Error('mergeSweepShards needs at least one shard');
  const keys = new Map<string, SweepRepetition>();
  for (const s of shards) for (const r of s.file.repetitions) if (!keys.has(repKey(r))) keys.set(repKey(r), r);
  const warnings: string[] = missing.length > 0 ? [`${partialLabel(missing, first.stamp.count)}: every repetition covers only the load of the shards given`] : [];
  let maxStartSkewMs = 0;
  const repetitions = [...keys.values()].map((template): SweepRepetition => {
    const where = `cell ${template.cellId} repetition ${template.repetition}`;
    const problems: string[] = [];
    const parts: ShardRun[] = [];
    for (const s of shards) {
      const rep = s.file.repetitions.find((r) => repKey(r) === repKey(template));
      if (rep === undefined) problems.push(`missing on ${shardLabel(s.stamp)} (${s.source})`);
      else if (rep.status !== 'completed' || rep.run === null) problems.push(`errored on ${shardLabel(s.stamp)}${rep.error ? ` (${rep.error})` : ''}`);
      else {
        const stamp = readShardStamp(rep.run.shard, s.source, `repetitions[${s.file.repetitions.indexOf(rep)}].run.shard`) ?? { ...s.stamp, late: false, lateByMs: 0 };
        if (isLate(stamp)) problems.push(`late on ${shardLabel(s.stamp)}${stamp.lateByMs > 0 ? ` by ${Math.round(stamp.lateByMs)} ms` : ''} (it did not run in its time slot)`);
        else parts.push({ stamp, run: rep.run, source: s.source });
      }
    }
    const base = { cellId: template.cellId, repetition: template.repetition, order: template.order };
    if (problems.length > 0) {
      const error = `not merged: ${problems.join('; ')}`;
      warnings.push(`${where} ${error}`);
      return { ...base, status: 'errored', run: null, error };
    }
    const run = mergeRunShards(parts, missing);
    maxStartSkewMs = Math.max(maxStartSkewMs, run.merged?.maxStartSkewMs ?? 0);
    return { ...base, status: 'completed', run, error: null };
  });
  repetitions.sort((a, b) => a.order - b.order);
  if (maxStartSkewMs > START_SKEW_WARN_MS) warnings.push(`repetitions started up to ${maxStartSkewMs} ms apart on different shards (more than ${START_SKEW_WARN_MS} ms): are the hosts' clocks NTP-synchronised?`);
  const merged: SweepMergeInfo = {
    runId: first.stamp.runId,
    count: first.stamp.count,
    shards: shards.map((s) => ({ index: s.stamp.index, host: s.stamp.host, source: s.source })),
    missing: [...missing],
    partial: missing.length > 0,
    maxStartSkewMs,
    warnings,
  };
  return {
    schema: first.file.schema,
    schemaVersion: first.file.schemaVersion,
    kind: 'sweep',
    createdAt,
    environment: first.file.environment,
    profile: first.file.profile,
    seed: first.file.seed,
    repeat: first.file.repeat,
    interrupted: shards.some((s) => s.file.interrupted),
    cells: first.file.cells,
    repetitions,
    aggregates: aggregateCells(
      first.file.cells.map((c) => c.id),
      repetitions,
    ),
    merged,
    shard: null,
  };
}
