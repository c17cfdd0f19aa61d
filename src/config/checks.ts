import { ConfigError } from '../errors.js';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** An integer within [min, max]; the message names the flag, the range and what was given. */
export function checkInteger(name: string, value: unknown, min: number, max: number, why = ''): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}${why}, got ${shown(value)}`);
  }
  return n;
}

/** A finite number within (exclusiveMin, max]. */
export function checkNumber(name: string, value: unknown, exclusiveMin: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= exclusiveMin || n > max) {
    throw new ConfigError(`${name} must be a number greater than ${exclusiveMin} and at most ${max}, got ${shown(value)}`);
  }
  return n;
}

/** One of a fixed set of words. */
export function checkChoice<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${shown(value)}`);
  }
  return value as T;
}

/** A CPU list as taskset takes it: "0", "0-3", "0,2,4-5". */
export function checkCpuList(name: string, value: unknown, cpuCount: number): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) {
    throw new ConfigError(`${name} must be a CPU list such as 0, 0-1 or 0,2 (CPUs 0 to ${cpuCount - 1}), or "none", got ${shown(value)}`);
  }
  for (const cpu of expandCpuList(text)) {
    if (cpu >= cpuCount) {
      throw new ConfigError(`${name} names CPU ${cpu}, but this machine has CPUs 0 to ${cpuCount - 1}, got ${shown(value)}`);
    }
  }
  return text;
}

/** "0,2-3" → [0, 2, 3]. */
export function expandCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map(Number) as [number, number | undefined];
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** A byte count: an integer, optionally with a binary unit (16, 1KiB, 64k, 1MiB). */
export function checkBytes(name: string, value: unknown, min: number, max: number, why = ''): number {
  if (typeof value === 'string') {
    const match = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
    const unit = match ? BYTE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
    if (match && unit !== undefined) {
      const bytes = Number(match[1]) * unit;
      if (bytes >= min && bytes <= max) return bytes;
    }
    throw new ConfigError(`${name} must be a byte count from ${min} to ${max}${why} (e.g. 16, 1KiB, 1MiB), got ${JSON.stringify(value)}`);
  }
  return checkInteger(name, value, min, max, why);
}

function durationText(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

/** A duration: "250ms", "90s", "5m", "2h", or a number of `bareUnit`s; returns seconds within [minS, maxS]. */
export function checkDuration(name: string, value: unknown, minS: number, maxS: number, bareUnit: 'ms' | 's' = 's'): number {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text) : null;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[(match?.[2] ?? bareUnit) as 'ms' | 's' | 'm' | 'h'];
  const seconds = match ? Number(match[1]) * scale : Number.NaN;
  if (!(seconds >= minS && seconds <= maxS)) {
    throw new ConfigError(`${name} must be a duration from ${durationText(minS)} to ${durationText(maxS)} (e.g. 250ms, 90s, 5m), got ${JSON.stringify(value)}`);
  }
  return seconds;
}
