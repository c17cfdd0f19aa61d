/**
 * Which runs measure the same workload. Cells are matched across results files (compare, check
 * --baseline) by the run settings that define the load, never by where it ran (target, CPUs) or
 * how long (warm-up, duration, timeouts).
 */
import type { AxisValue, RunConfig } from '../types.js';

export const WORKLOAD_FIELDS = ['workers', 'connections', 'streams', 'inFlight', 'rate', 'size', 'compression', 'window', 'maxMessageSize'] as const;
export type WorkloadField = (typeof WORKLOAD_FIELDS)[number];

function show(value: AxisValue | undefined): string {
  return value === null || value === undefined ? 'default' : String(value);
}

/**
 * "workers=1,connections=1,…": equal for runs of the same workload. `omit` drops fields (and
 * extra axes) that are allowed to differ, e.g. compression when comparing gzip with identity.
 */
export function workloadKey(config: RunConfig, options: { omit?: readonly string[]; axes?: Record<string, AxisValue> } = {}): string {
  const omit = new Set(options.omit ?? []);
  const parts = WORKLOAD_FIELDS.filter((f) => !omit.has(f)).map((f) => `${f}=${show(f === 'rate' && config.rate === null ? 'closed' : config[f])}`);
  // Sweep axes that are not run settings (e.g. a "target" or "profile" axis) also tell cells apart.
  for (const [name, value] of Object.entries(options.axes ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    if (!(WORKLOAD_FIELDS as readonly string[]).includes(name) && !omit.has(name)) parts.push(`${name}=${show(value)}`);
  }
  return parts.join(',');
}

/** The value of a workload field or extra axis, as text, for selectors and labels. */
export function fieldValue(config: RunConfig, axes: Record<string, AxisValue>, name: string): string | undefined {
  if (name in axes) return show(axes[name]);
  if ((WORKLOAD_FIELDS as readonly string[]).includes(name)) {
    const value = config[name as WorkloadField];
    return name === 'rate' && value === null ? 'closed' : show(value);
  }
  return undefined;
}

const COMPACT_FIELDS = ['streams', 'inFlight', 'rate', 'size', 'compression', 'window'];

/** A shorter label of a workload key: streams, in-flight, rate (open loop only), size, compression, window, extra axes. */
export function compactKey(key: string): string {
  const parts = key.split(',');
  return parts
    .filter((p) => {
      const name = p.slice(0, p.indexOf('='));
      if (name === 'rate') return p !== 'rate=closed';
      return COMPACT_FIELDS.includes(name) || !(WORKLOAD_FIELDS as readonly string[]).includes(name);
    })
    .join(',');
}

/** Labels for cells: the key parts that vary between them, or the compact key when none do. */
export function varyingLabels(keys: readonly string[]): string[] {
  const split = keys.map((k) => k.split(','));
  const varying = new Set<number>();
  for (const parts of split) parts.forEach((p, i) => (split.some((o) => o[i] !== p) ? varying.add(i) : undefined));
  return keys.map((k, j) => (varying.size === 0 ? compactKey(k) : (split[j] as string[]).filter((_, i) => varying.has(i)).join(',')));
}
