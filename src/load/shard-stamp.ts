import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import type { ResolvedShard } from '../config/resolve-shard.js';
import type { ShardPart } from '../plan/shard-run.js';
import type { RunConfig, ShardInfo } from '../types.js';
import { describeClockSource } from './clock-source.js';

/** Shards on other machines share one server: N > 1 needs an external target. */
export function checkShardTarget(config: Pick<RunConfig, 'target'>, shard: ResolvedShard | null | undefined, command: 'run' | 'sweep' = 'run'): void {
  if (shard && shard.count > 1 && config.target === null) {
    throw new ConfigError(
      `${command} --shard ${shard.index}/${shard.count} needs --target HOST:PORT: the shards of a ${command} load one server they all reach (start it with \`grpc-stream-bench serve\`); the embedded echo server would give every shard its own`,
    );
  }
}

/** What a results file records about the shard that wrote it. */
export function stampShard(shard: ResolvedShard, part: ShardPart, actualStartMs: number | null): ShardInfo {
  const actual = actualStartMs ?? Date.now();
  const planned = shard.startAtMs;
  const lateByMs = planned === null ? 0 : Math.max(0, actual - planned);
  return {
    index: shard.index,
    count: shard.count,
    runId: shard.runId,
    host: hostname(),
    plannedStartMs: planned,
    actualStartMs: actual,
    clockSource: describeClockSource(),
    streams: { ...part.streams },
    late: lateByMs > 0,
    lateByMs,
  };
}
