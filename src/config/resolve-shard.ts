/**
 * `--shard K/N --run-id ID --start-at TIME`: which part of a run this process drives, the id
 * tying the shards' results together and the wall-clock time every shard starts at. Pure (the
 * current time is a parameter).
 */
import { ConfigError } from '../errors.js';

/** Raw shard settings, as flags or API options give them. */
export interface ShardInput {
  shard?: unknown;
  runId?: unknown;
  startAt?: unknown;
}

/** Validated shard settings. */
export interface ResolvedShard {
  /** K, 1-based. */
  index: number;
  /** N. */
  count: number;
  runId: string;
  /** --start-at as epoch ms; null: start as soon as the workers are ready. */
  startAtMs: number | null;
}

export const MAX_SHARDS = 1000;
/** How far ahead --start-at may be. */
export const MAX_START_AHEAD_MS = 24 * 3600 * 1000;
/** How late (in the past) --start-at may be when it is checked: the run then starts at once. */
export const MAX_START_LATE_MS = 1000;

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const given = (value: unknown): boolean => value !== undefined && value !== null;
const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** "2/3" → { index: 2, count: 3 }. */
export function parseShard(value: unknown): { index: number; count: number } {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value) : null;
  if (!match) {
    throw new ConfigError(`--shard must be K/N, this process's part K of N shards (1 ≤ K ≤ N ≤ ${MAX_SHARDS}, e.g. 2/3), got ${shown(value)}`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ConfigError(`--shard ${index}/${count}: N must be from 1 to ${MAX_SHARDS}, got ${count}`);
  if (index < 1 || index > count) throw new ConfigError(`--shard ${index}/${count}: K must be from 1 to N (${count}); shards are numbered from 1, got ${index}`);
  return { index, count };
}

/** --run-id: 1–128 characters of [A-Za-z0-9._-]. */
export function checkRunId(value: unknown): string {
  if (typeof value !== 'string' || !RUN_ID.test(value)) {
    throw new ConfigError(`--run-id must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-', got ${shown(value)}`);
  }
  return value;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${Math.round(ms)} ms`;
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.round(s / 6) / 10} min`;
  return `${Math.round(s / 360) / 10} h`;
}

/** --start-at: ISO 8601 with a time zone, or Unix epoch ms; at most 24 h ahead, at most 1 s late. */
export function parseStartAt(value: unknown, nowMs: number): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) ms = Number(value);
  else if (typeof value === 'string' && ISO_8601.test(value.trim())) ms = Date.parse(value.trim());
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ConfigError(`--start-at must be an ISO 8601 time with a time zone (e.g. 2026-11-25T10:00:00Z or 2026-11-25T11:00:00+01:00) or Unix epoch milliseconds, got ${shown(value)}`);
  }
  ms = Math.round(ms);
  const late = nowMs - ms;
  if (late > MAX_START_LATE_MS) {
    const hint = ms < 1e11 ? ' (it looks like Unix seconds: give milliseconds)' : '';
    throw new ConfigError(`--start-at ${shown(value)} is ${seconds(late)} in the past${hint}; at most ${MAX_START_LATE_MS / 1000} s late is accepted: give a time ahead, the same on every shard`);
  }
  if (ms - nowMs > MAX_START_AHEAD_MS) {
    throw new ConfigError(`--start-at ${shown(value)} is ${seconds(ms - nowMs)} ahead, more than the 24 h accepted (${new Date(nowMs + MAX_START_AHEAD_MS).toISOString()} at the latest)`);
  }
  return ms;
}

/** Validated shard settings; null when none of --shard, --run-id, --start-at is given (an ordinary run). */
export function resolveShard(input: ShardInput, nowMs: number = Date.now()): ResolvedShard | null {
  if (!given(input.shard) && !given(input.runId) && !given(input.startAt)) return null;
  const { index, count } = given(input.shard) ? parseShard(input.shard) : { index: 1, count: 1 };
  if (count > 1 && !given(input.runId)) {
    throw new ConfigError(`--run-id is required with --shard ${index}/${count}: give every shard of the run the same ID (1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-')`);
  }
  const runId = given(input.runId) ? checkRunId(input.runId) : `run-${new Date(nowMs).toISOString().replace(/:/g, '-')}`;
  const startAtMs = given(input.startAt) ? parseStartAt(input.startAt, nowMs) : null;
  return { index, count, runId, startAtMs };
}
