/**
 * A sweep split over shards: checks before any load that every cell can be sharded and
 * slotted, and the sweep file's own shard stamp.
 */
import type { ResolvedShard } from '../config/resolve-shard.js';
import { ConfigError } from '../errors.js';
import { shardPart } from '../plan/shard-run.js';
import { checkSlottable } from '../plan/shard-slots.js';
import { checkShardTarget, stampShard } from '../load/shard-stamp.js';
import type { ResolvedProfile, ShardInfo, SweepCell, SweepRepetition } from '../types.js';

/** ConfigError unless every cell of the profile can run as this shard in fixed time slots. */
export function checkShardedSweep(profile: ResolvedProfile, shard: ResolvedShard): void {
  const flag = `sweep --shard ${shard.index}/${shard.count}`;
  if (shard.count > 1) {
    if (shard.startAtMs === null) {
      throw new ConfigError(`${flag} needs --start-at TIME (the same on every shard): each repetition then runs in a fixed time slot, so all shards run the same cell at the same time`);
    }
    for (const cell of profile.cells) checkShardTarget(cell.config, shard, 'sweep');
  }
  if (shard.startAtMs !== null) checkSlottable(profile.cells);
  for (const cell of profile.cells) {
    try {
      shardPart(cell.config, shard);
    } catch (error: unknown) {
      if (error instanceof ConfigError) throw new ConfigError(`cell ${cell.id}: ${error.message}`);
      throw error;
    }
  }
}

/** The sweep file's shard stamp: planned start = the sweep's --start-at, actual = its first repetition's start. */
export function stampSweepShard(shard: ResolvedShard, cells: readonly SweepCell[], repetitions: readonly SweepRepetition[], fallbackStartMs: number): ShardInfo | null {
  const first = cells[0];
  if (first === undefined) return null;
  const started = repetitions
    .map((r) => r.run?.shard?.actualStartMs)
    .filter((ms): ms is number => typeof ms === 'number');
  return stampShard(shard, shardPart(first.config, shard), started.length > 0 ? Math.min(...started) : fallbackStartMs);
}
