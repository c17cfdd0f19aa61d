/**
 * The settings of a fleet of echo-server processes (`serve --instances N --cpus LIST`), checked
 * before anything starts, and the per-instance arguments derived from them (pure).
 */
import { extname } from 'node:path';
import { checkInteger } from '../config/checks.js';
import { ConfigError } from '../errors.js';

/** Most echo-server processes one fleet may have. */
export const MAX_INSTANCES = 64;

/** `--instances`: an integer from 1 to MAX_INSTANCES. */
export function checkInstances(name: string, value: unknown): number {
  return checkInteger(name, value, 1, MAX_INSTANCES, ' (echo-server processes)');
}

/**
 * The port of every instance: `port`, `port + 1`, … (consecutive), or 0 for each (free ports)
 * when `port` is 0. ConfigError when the last one would pass 65535.
 */
export function fleetPorts(flag: string, port: number, instances: number): number[] {
  if (port === 0) return Array.from({ length: instances }, () => 0);
  const last = port + instances - 1;
  if (last > 65_535) {
    throw new ConfigError(`${flag} ${port} with --instances ${instances} needs ports ${port} to ${last}, but ports end at 65535; give a lower ${flag} or 0 for free ports`);
  }
  return Array.from({ length: instances }, (_, i) => port + i);
}

/**
 * `--cpus LIST` in taskset syntax (`0,1`, `0-3`, `0,2-3`) → the CPUs in the order written,
 * each once. Every CPU must be one this process may run on (`available`, e.g. 0..n-1).
 */
export function checkFleetCpus(flag: string, value: unknown, available: readonly number[]): number[] {
  const text = typeof value === 'number' ? String(value) : value;
  const allowed = describeCpus(available);
  if (typeof text !== 'string' || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text.trim())) {
    throw new ConfigError(`${flag} must be a CPU list in taskset syntax such as 0, 0-3 or 0,2 (CPUs here: ${allowed}), got ${JSON.stringify(value)}`);
  }
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    const [from, to] = part.split('-').map(Number) as [number, number | undefined];
    if (to !== undefined && to < from) throw new ConfigError(`${flag}: the range ${part} runs backwards; write it as ${to}-${from}, got ${JSON.stringify(value)}`);
    for (let cpu = from; cpu <= (to ?? from); cpu++) {
      if (!available.includes(cpu)) throw new ConfigError(`${flag} names CPU ${cpu}, which does not exist here or is not allowed for this process (CPUs here: ${allowed}), got ${JSON.stringify(value)}`);
      if (!cpus.includes(cpu)) cpus.push(cpu);
    }
  }
  return cpus;
}

/** [0, 1, 2, 5] → "0-2,5". */
export function describeCpus(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length === 0 ? 'none' : parts.join(',');
}

/** The CPU instance `index` is pinned to: the list round robin, or null when nothing is pinned. */
export function instanceCpu(cpus: readonly number[] | null, index: number): number | null {
  if (cpus === null || cpus.length === 0) return null;
  return cpus[index % cpus.length] as number;
}

/** `--stats FILE` of instance i: `FILE` with `-i` before its extension (`faults.json` → `faults-1.json`). */
export function instanceStatsPath(path: string, index: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${index}${ext}`;
}

/** What one instance gets instead of the fleet's own flags. */
export interface InstanceOverrides {
  port: number;
  prometheus: number | null;
  stats: string | null;
}

/** Flags that describe the fleet, not one instance: replaced in every instance's arguments. */
const FLEET_FLAGS = ['instances', 'cpus', 'port', 'prometheus', 'stats'];

/**
 * The `serve` arguments of one instance: the fleet's own (everything the user gave, so every
 * other flag passes through unchanged) without the fleet flags, then `--instances 1`, the
 * instance's port and, where given, its metrics port and stats file.
 */
export function instanceArgs(fleetArgs: readonly string[], overrides: InstanceOverrides): string[] {
  const out: string[] = [];
  for (let i = 0; i < fleetArgs.length; i++) {
    const arg = fleetArgs[i] as string;
    if (arg === '--') {
      out.push(...fleetArgs.slice(i));
      break;
    }
    const match = /^--([^=]+)(=.*)?$/.exec(arg);
    if (match && FLEET_FLAGS.includes(match[1] as string)) {
      // `--flag value` (each of these flags requires its value) consumes the next argument; `--flag=value` does not.
      if (match[2] === undefined) i++;
      continue;
    }
    out.push(arg);
  }
  out.push('--instances', '1', '--port', String(overrides.port));
  if (overrides.prometheus !== null) out.push('--prometheus', String(overrides.prometheus));
  if (overrides.stats !== null) out.push('--stats', overrides.stats);
  return out;
}
