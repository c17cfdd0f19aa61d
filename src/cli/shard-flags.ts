import type { Argv } from 'yargs';
import type { ShardOptions, Unchecked } from '../config/run-options.js';

/** One run or sweep split over several processes or machines: run and sweep. */
export interface ShardFlags {
  shard?: string;
  'run-id'?: string;
  'start-at'?: string;
}

export function withShardFlags<T>(y: Argv<T>): Argv<T & ShardFlags> {
  const text = { type: 'string' as const, requiresArg: true };
  return y
    .option('shard', { ...text, describe: 'K/N: drive part K (1-based) of the streams, connections, workers, rate and messages of a run split over N processes [default: 1/1, the whole run]' })
    .option('run-id', { ...text, describe: 'ID shared by every shard of the run (1-128 of A-Z a-z 0-9 . _ -); required when N > 1' })
    .option('start-at', { ...text, describe: 'Wall-clock time every shard starts its warm-up: ISO 8601 with a time zone or Unix epoch ms; at most 24 h ahead [default: when ready]' }) as Argv<T & ShardFlags>;
}

/** The shard flags as API options (camelCase), unchecked. */
export function shardOptionsFromFlags(f: ShardFlags): Unchecked<ShardOptions> {
  return { shard: f.shard, runId: f['run-id'], startAt: f['start-at'] };
}
