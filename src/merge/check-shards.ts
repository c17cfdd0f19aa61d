/**
 * Which shard files can be merged: one run id, one shard count, one configuration, each shard
 * once, none missing (unless allowed). Every refusal is a ConfigError (exit 2) of one line.
 */
import { ConfigError } from '../errors.js';
import { firstDifference, showValue } from './config-difference.js';
import { shardLabel, type ShardStamp } from './shard-stamp.js';

export interface ShardPart {
  source: string;
  stamp: ShardStamp;
  /** What must be identical across shards (the run's configuration), with its path prefix. */
  settings: unknown;
  settingsPath: string;
}

export interface ShardSet {
  runId: string;
  count: number;
  /** 1-based indexes of the shards not given. */
  missing: number[];
}

/** Checks the parts (at least one) and says which shards are missing. */
export function checkShards(parts: readonly ShardPart[], allowMissing: boolean): ShardSet {
  const first = parts[0];
  if (first === undefined) throw new ConfigError('merge needs at least one shard results file');
  for (const part of parts.slice(1)) {
    if (part.stamp.runId !== first.stamp.runId) {
      throw new ConfigError(`${part.source} belongs to run id "${part.stamp.runId}" but ${first.source} to run id "${first.stamp.runId}": only the shards of one run can be merged`);
    }
    if (part.stamp.count !== first.stamp.count) {
      throw new ConfigError(`${part.source} is ${shardLabel(part.stamp)} but ${first.source} is ${shardLabel(first.stamp)}: the shard count N must be the same in every file`);
    }
    const d = firstDifference(first.settings, part.settings, first.settingsPath);
    if (d !== null) {
      throw new ConfigError(`${part.source} has a different configuration from ${first.source}: ${d.path} is ${showValue(d.right)} there and ${showValue(d.left)} in ${first.source}`);
    }
  }
  const byIndex = new Map<number, ShardPart>();
  for (const part of parts) {
    const seen = byIndex.get(part.stamp.index);
    if (seen !== undefined) throw new ConfigError(`${shardLabel(part.stamp)} of run "${part.stamp.runId}" is given twice: ${seen.source} and ${part.source}`);
    byIndex.set(part.stamp.index, part);
  }
  const count = first.stamp.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && !allowMissing) {
    const given = [...byIndex.keys()].sort((a, b) => a - b).join(', ');
    throw new ConfigError(
      `${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count} of run "${first.stamp.runId}" ${missing.length === 1 ? 'is' : 'are'} missing (given: ${given}); pass --allow-missing to merge the others into a partial result`,
    );
  }
  return { runId: first.stamp.runId, count, missing };
}
