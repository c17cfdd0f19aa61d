/** The shard stamp of a results file (`run.shard`, or a sweep's top-level `shard`), read from JSON. */
import { ConfigError } from '../errors.js';

export interface ShardStamp {
  index: number;
  count: number;
  runId: string;
  host: string;
  plannedStartMs: number | null;
  /** Null only on a sweep's top-level stamp (each repetition has its own start). */
  actualStartMs: number | null;
  clockSource: string | null;
  streams: { first: number; count: number } | null;
  /** Started after the planned start (a sweep repetition: after its time slot). */
  late: boolean;
  /** By how much, ms (0 when not late or not recorded). */
  lateByMs: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The stamp at `where` in `source`, or null when there is none (the file is not a shard).
 * A stamp that is there but malformed is a ConfigError naming the bad field.
 */
export function readShardStamp(value: unknown, source: string, where: string): ShardStamp | null {
  if (value === undefined || value === null) return null;
  const bad = (what: string, got: unknown): ConfigError => new ConfigError(`${source}: ${where}.${what}, got ${JSON.stringify(got)}`);
  if (!isObject(value)) throw new ConfigError(`${source}: ${where} must be an object, got ${JSON.stringify(value)}`);
  const { index, count, runId, host, plannedStartMs, actualStartMs, clockSource, streams, late, lateByMs } = value;
  if (!isInt(count) || count < 1) throw bad('count must be a positive integer', count);
  if (!isInt(index) || index < 1 || index > count) throw bad(`index must be an integer from 1 to ${count}`, index);
  if (typeof runId !== 'string' || runId === '') throw bad('runId must be a non-empty string', runId);
  if (plannedStartMs !== undefined && plannedStartMs !== null && !isTime(plannedStartMs)) throw bad('plannedStartMs must be epoch ms or null', plannedStartMs);
  if (actualStartMs !== undefined && actualStartMs !== null && !isTime(actualStartMs)) throw bad('actualStartMs must be epoch ms', actualStartMs);
  let range: ShardStamp['streams'] = null;
  if (streams !== undefined && streams !== null) {
    if (!isObject(streams) || !isInt(streams.first) || !isInt(streams.count)) throw bad('streams must be { first, count } (integers)', streams);
    range = { first: streams.first, count: streams.count };
  }
  return {
    index,
    count,
    runId,
    host: typeof host === 'string' ? host : 'unknown',
    plannedStartMs: isTime(plannedStartMs) ? plannedStartMs : null,
    actualStartMs: isTime(actualStartMs) ? actualStartMs : null,
    clockSource: typeof clockSource === 'string' ? clockSource : null,
    streams: range,
    late: late === true,
    lateByMs: isTime(lateByMs) && lateByMs > 0 ? lateByMs : 0,
  };
}

/** "shard 2/3". */
export function shardLabel(stamp: Pick<ShardStamp, 'index' | 'count'>): string {
  return `shard ${stamp.index}/${stamp.count}`;
}
