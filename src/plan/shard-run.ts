/**
 * One run split over N shards (processes, usually on different machines). Shard K (1-based)
 * takes a contiguous range of the global stream indices — an even share, remainders to the first
 * shards, as `splitEvenly` gives them — its share of the connections and workers, and the rate
 * and per-stream message budgets of exactly its streams. Open-loop phases keep the global stream
 * index and the whole run's stream count, so the union of the N shards' schedules is the schedule
 * one process would follow. Pure.
 */
import { ConfigError } from '../errors.js';
import type { RunConfig, WorkerTask } from '../types.js';
import { splitEvenly, splitRun } from './split-run.js';

/** Which shard this process is: `index` of `count`, 1-based. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** What one shard runs. */
export interface ShardPart {
  index: number;
  count: number;
  /** Global index of the first stream and how many streams this shard drives. */
  streams: { first: number; count: number };
  connections: number;
  /** Global index of this shard's first connection (connections are numbered across shards as streams are). */
  firstConnection: number;
  /** max(1, the shard's even share of --workers): never more than its connections. */
  workers: number;
  /** The messages/s of this shard's streams; null for a closed loop. */
  rate: number | null;
  /** The measured-message budgets of this shard's streams (from the global split); null without --messages. */
  budgets: number[] | null;
}

/** splitRun's arguments after the configuration (target, credentials …). */
type SplitRunArgs = Parameters<typeof splitRun> extends [RunConfig, ...infer Rest] ? Rest : never;

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The share of the run shard `index` of `count` gets; ConfigError when a shard would get no stream or no connection. */
export function shardPart(config: RunConfig, shard: ShardSpec): ShardPart {
  const { index, count } = shard;
  if (config.connections < count) {
    const what = config.streams < count ? `${plural(config.streams, 'stream')} and ${plural(config.connections, 'connection')}` : plural(config.connections, 'connection');
    throw new ConfigError(
      `--shard ${index}/${count}: the run has ${what}, too few for ${count} shards; every shard needs at least one stream and one connection (give --connections and --streams of at least ${count}, or fewer shards)`,
    );
  }
  const streamShares = splitEvenly(config.streams, count);
  const first = sum(streamShares.slice(0, index - 1));
  const streams = streamShares[index - 1] ?? 0;
  const connectionShares = splitEvenly(config.connections, count);
  const connections = connectionShares[index - 1] ?? 0;
  const workers = Math.min(connections, Math.max(1, splitEvenly(config.workers, count)[index - 1] ?? 0));
  const budgets = config.messages === null ? null : splitEvenly(config.messages, config.streams).slice(first, first + streams);
  return {
    index,
    count,
    streams: { first, count: streams },
    connections,
    firstConnection: sum(connectionShares.slice(0, index - 1)),
    workers,
    rate: config.rate === null ? null : (config.rate * streams) / config.streams,
    budgets,
  };
}

/**
 * The worker tasks of one shard: the shard's streams spread over its workers as `splitRun`
 * spreads a whole run, with global stream indices, the whole run's stream count (open-loop
 * phases) and each worker's rate and budget taken from the global split.
 */
export function splitShardRun(config: RunConfig, part: ShardPart, ...rest: SplitRunArgs): WorkerTask[] {
  return splitRun(shardView(config, part), ...rest).map((task) => ({
    ...task,
    firstConnection: part.firstConnection + (task.firstConnection ?? 0),
    firstStream: part.streams.first + task.firstStream,
    totalStreams: config.streams,
    rate: config.rate === null ? null : (config.rate * task.streams) / config.streams,
    messages: part.budgets === null ? null : sum(part.budgets.slice(task.firstStream, task.firstStream + task.streams)),
  }));
}

/** The run's configuration as seen by one shard's figures (its own rate, streams and connections), for diagnostics. */
export function shardView(config: RunConfig, part: ShardPart): RunConfig {
  return {
    ...config,
    workers: part.workers,
    connections: part.connections,
    streams: part.streams.count,
    rate: part.rate,
    messages: part.budgets === null ? null : sum(part.budgets),
  };
}
