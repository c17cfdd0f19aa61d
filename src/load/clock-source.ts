import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCKSOURCE = '/sys/devices/system/clocksource/clocksource0/current_clocksource';

let cached: string | null | undefined;

/**
 * The kernel's clock source and, when systemd can say so cheaply, whether NTP has synchronised
 * the clock: "tsc; NTP synchronized", "tsc; NTP not synchronized", "tsc"; null when neither is
 * known. Read once per process (shards compare their start times, so the clock matters).
 */
export function describeClockSource(): string | null {
  if (cached !== undefined) return cached;
  const parts: string[] = [];
  try {
    const source = readFileSync(CLOCKSOURCE, 'utf8').trim();
    if (source !== '') parts.push(source);
  } catch {
    // Not Linux, or no sysfs.
  }
  const ntp = ntpSynchronized();
  if (ntp !== null) parts.push(ntp ? 'NTP synchronized' : 'NTP not synchronized');
  cached = parts.length === 0 ? null : parts.join('; ');
  return cached;
}

function ntpSynchronized(): boolean | null {
  if (process.platform !== 'linux') return null;
  const result = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] });
  if (result.status !== 0) return null;
  const value = result.stdout.trim();
  return value === 'yes' ? true : value === 'no' ? false : null;
}
