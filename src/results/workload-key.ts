/**
 * Which runs measure the same workload. Cells are matched across results files (compare, check
 * --baseline) by the run settings that define the load (in open loop also its pacing), never by
 * where it ran (target, CPUs) or how long (warm-up, duration, timeouts).
 */
import type { AxisValue, RunConfig } from '../types.js';

export const WORKLOAD_FIELDS = [
  'engine',
  'security',
  'workers',
  'connections',
  'streams',
  'inFlight',
  'rate',
  'size',
  'compressibility',
  'compression',
  'window',
  'maxMessageSize',
  'messagesPerStream',
  'connectionChurn',
] as const;
export type WorkloadField = (typeof WORKLOAD_FIELDS)[number];

/**
 * Settings that define the workload only in open loop (`rate` set): how sends are paced. Closed-loop
 * runs ignore them, so their keys leave them out (and files from before the setting still match).
 */
export const OPEN_LOOP_FIELDS = ['pacing'] as const;
export type OpenLoopField = (typeof OPEN_LOOP_FIELDS)[number];

/**
 * Settings that define the workload only when they differ from their default: the embedded
 * server's process count (`instances`, 1 in files from before it) and client-side load balancing
 * (`lb`: only round_robin, pick_first being what files from before it did). Keys of one-process,
 * pick_first runs leave them out, so they match files written before the settings existed.
 */
export const NON_DEFAULT_FIELDS = ['instances', 'lb'] as const;

const RUN_SETTING_FIELDS: readonly string[] = [...WORKLOAD_FIELDS, ...OPEN_LOOP_FIELDS, ...NON_DEFAULT_FIELDS];

function show(value: AxisValue | undefined): string {
  return value === null || value === undefined ? 'default' : String(value);
}

/** The workload fields of a config, in key order: open-loop fields follow `rate` when it is set. */
function fieldsOf(config: RunConfig): string[] {
  const nonDefault = [...((config.instances ?? 1) > 1 ? ['instances'] : []), ...(config.lb === 'round_robin' ? ['lb'] : [])];
  if (config.rate === null) return [...WORKLOAD_FIELDS, ...nonDefault];
  const at = WORKLOAD_FIELDS.indexOf('rate') + 1;
  return [...WORKLOAD_FIELDS.slice(0, at), ...OPEN_LOOP_FIELDS, ...WORKLOAD_FIELDS.slice(at), ...nonDefault];
}

function configValue(config: RunConfig, field: string): string {
  if (field === 'rate' && config.rate === null) return 'closed';
  if (field === 'instances') return String(config.instances ?? 1);
  if (field === 'lb') return config.lb ?? 'pick_first';
  return show(config[field as WorkloadField | OpenLoopField] as AxisValue | undefined);
}

/**
 * "workers=1,connections=1,…": equal for runs of the same workload. `omit` drops fields (and
 * extra axes) that are allowed to differ, e.g. compression when comparing gzip with identity.
 */
export function workloadKey(config: RunConfig, options: { omit?: readonly string[]; axes?: Record<string, AxisValue> } = {}): string {
  const omit = new Set(options.omit ?? []);
  const fields = fieldsOf(config);
  const parts = fields.filter((f) => !omit.has(f)).map((f) => `${f}=${configValue(config, f)}`);
  // Sweep axes not in the key yet (e.g. a "target" or "side" axis, or pacing in closed loop) also tell cells apart.
  for (const [name, value] of Object.entries(options.axes ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    if (!fields.includes(name) && !omit.has(name)) parts.push(`${name}=${show(value)}`);
  }
  return parts.join(',');
}

/** The value of a workload field or extra axis, as text, for selectors and labels. */
export function fieldValue(config: RunConfig, axes: Record<string, AxisValue>, name: string): string | undefined {
  if (name in axes) return show(axes[name]);
  if (RUN_SETTING_FIELDS.includes(name)) return configValue(config, name);
  return undefined;
}

const COMPACT_FIELDS = ['engine', 'streams', 'inFlight', 'rate', 'pacing', 'size', 'compression', 'window', 'instances'];

/** A shorter label of a workload key: streams, in-flight, rate and pacing (open loop only), size, compression, window, extra axes. */
export function compactKey(key: string): string {
  const parts = key.split(',');
  return parts
    .filter((p) => {
      const name = p.slice(0, p.indexOf('='));
      if (name === 'rate') return p !== 'rate=closed';
      return COMPACT_FIELDS.includes(name) || !RUN_SETTING_FIELDS.includes(name);
    })
    .join(',');
}

/**
 * Labels for cells: the key parts that vary between them, or the compact key when none do.
 * Parts are matched by name (an open-loop key has parts a closed-loop one lacks).
 */
export function varyingLabels(keys: readonly string[]): string[] {
  const split = keys.map((k) => k.split(','));
  const nameOf = (part: string): string => part.slice(0, part.indexOf('='));
  const valueSets = new Map<string, Set<string>>();
  for (const parts of split) for (const p of parts) valueSets.set(nameOf(p), (valueSets.get(nameOf(p)) ?? new Set()).add(p));
  // A part varies when its value differs between keys, or some keys lack it.
  const varying = new Set([...valueSets].filter(([name, values]) => values.size > 1 || split.some((parts) => !parts.some((p) => nameOf(p) === name))).map(([name]) => name));
  return keys.map((k, j) => (varying.size === 0 ? compactKey(k) : (split[j] as string[]).filter((p) => varying.has(nameOf(p))).join(',')));
}
