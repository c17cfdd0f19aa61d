import { checkInteger } from '../config/checks.js';
import { RUN_FLAG_NAMES, resolveRunConfig, type Machine, type RunField, type RunFieldNames, type RunInput } from '../config/resolve-run.js';
import { ConfigError } from '../errors.js';
import { cellIdOf, countCells, expandAxes } from '../plan/expand-axes.js';
import type { AxisValue, ClientCredentials, ResilienceConfig, ResolvedProfile, RunConfig, SweepAxis, SweepCell } from '../types.js';

/*
 * Profile format (JSON):
 *   { "description": "...", "repeat": 3,
 *     "settings": { "streams": 16, "inFlight": 32, "duration": 3, "warmup": 1 },
 *     "axes": { "compression": ["identity", "gzip"], "size": [16, "1KiB"], "window": [65535, "1MiB"] } }
 * Structure is checked here; every value goes through the same checks as the `run` flags,
 * named by its path in the profile (settings.streams, axes.size[2]).
 */

export const PROFILE_KEYS = ['description', 'repeat', 'settings', 'axes'] as const;

/** Run settings a profile may fix. Not: target (use --target), messages (sweeps stop on duration). */
export const PROFILE_SETTINGS = [
  'engine',
  'lb',
  'security',
  'compressibility',
  'messagesPerStream',
  'connectionChurn',
  'workers',
  'connections',
  'streams',
  'inFlight',
  'rate',
  'maxMessageSize',
  'warmup',
  'duration',
  'verify',
  'pacing',
  'timeout',
  'drainTimeout',
  'instances',
  'serverCpus',
  'clientCpus',
  'workerHeap',
  'workerYoung',
] as const satisfies readonly RunField[];

export const REQUIRED_AXES = ['compression', 'size', 'window'] as const;
export const OPTIONAL_AXES = ['engine', 'lb', 'security', 'compressibility', 'messagesPerStream', 'connectionChurn', 'workers', 'connections', 'streams', 'inFlight', 'rate', 'maxMessageSize', 'instances'] as const;
/** Axis order in cell ids and tables: the required axes first, then the others. */
export const AXIS_NAMES = [...REQUIRED_AXES, ...OPTIONAL_AXES] as const satisfies readonly (RunField & keyof RunConfig)[];
export type AxisName = (typeof AXIS_NAMES)[number];

export const DEFAULT_REPEAT = 3;
export const MAX_REPEAT = 100;
export const MAX_AXIS_VALUES = 32;
export const MAX_CELLS = 512;

const REQUIRED_AXIS_HINT: Record<(typeof REQUIRED_AXES)[number], string> = {
  compression: 'a non-empty list of identity, deflate, gzip',
  size: 'a non-empty list of message sizes in bytes (e.g. 16, "1KiB")',
  window: 'a non-empty list of flow-control windows in bytes (e.g. 65535, "1MiB")',
};

/** A short rendering of what was found, for messages. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? '[] (an empty list)' : `a list ${clip(JSON.stringify(value))}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object ${clip(JSON.stringify(value))}`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKnownKeys(path: string, object: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      const at = path === '' ? key : `${path}.${key}`;
      throw new ConfigError(`${at} is not a known ${what}; allowed: ${allowed.join(', ')}; got key ${JSON.stringify(key)}`);
    }
  }
}

export interface ProfileOrigin {
  name: string;
  source: string | null;
}

export interface ResolveProfileOptions {
  /** An external server for every cell (the CLI's --target); null/absent: the embedded server. */
  target?: string | null;
  allowRemote?: boolean;
  /** Drop unreachable members of the target list (with a warning) instead of failing (--allow-partial). */
  allowPartial?: boolean;
  /** The client's TLS and token flags for an external target. */
  credentials?: ClientCredentials | null;
  /** Reconnect and breaker flags, for every cell. */
  resilience?: ResilienceConfig;
}

/** Validates a profile document and expands it into cells with resolved run configurations. */
export function resolveProfile(definition: unknown, origin: ProfileOrigin, machine: Machine, options: ResolveProfileOptions = {}): ResolvedProfile {
  if (!isPlainObject(definition)) {
    throw new ConfigError(`profile must be a JSON object with the keys ${PROFILE_KEYS.join(', ')}, got ${describeFound(definition)}`);
  }
  checkKnownKeys('', definition, PROFILE_KEYS, 'profile key');

  const description = definition.description ?? '';
  if (typeof description !== 'string') throw new ConfigError(`description must be a string, got ${describeFound(description)}`);
  const repeat = definition.repeat === undefined ? DEFAULT_REPEAT : checkInteger('repeat', definition.repeat, 1, MAX_REPEAT);

  const settings = definition.settings ?? {};
  if (!isPlainObject(settings)) {
    throw new ConfigError(`settings must be an object of run settings (${PROFILE_SETTINGS.join(', ')}), got ${describeFound(settings)}`);
  }
  for (const key of Object.keys(settings)) {
    if ((REQUIRED_AXES as readonly string[]).includes(key)) {
      throw new ConfigError(`settings.${key} is a sweep axis; list its values in axes.${key} instead, got settings.${key} = ${describeFound(settings[key])}`);
    }
  }
  checkKnownKeys('settings', settings, PROFILE_SETTINGS, 'setting');
  if (settings.verify !== undefined && typeof settings.verify !== 'boolean') {
    throw new ConfigError(`settings.verify must be true or false, got ${describeFound(settings.verify)}`);
  }

  const axesInput = definition.axes;
  if (!isPlainObject(axesInput)) {
    throw new ConfigError(`axes must be an object with the lists ${REQUIRED_AXES.join(', ')}, got ${describeFound(axesInput)}`);
  }
  checkKnownKeys('axes', axesInput, AXIS_NAMES, 'sweep axis');
  for (const name of REQUIRED_AXES) {
    if (axesInput[name] === undefined) throw new ConfigError(`axes.${name} is required: ${REQUIRED_AXIS_HINT[name]}, got nothing`);
  }
  const rawAxes: { name: AxisName; values: unknown[] }[] = [];
  for (const name of AXIS_NAMES) {
    const values = axesInput[name];
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.length === 0) {
      throw new ConfigError(`axes.${name} must be a non-empty list of values, got ${describeFound(values)}`);
    }
    if (values.length > MAX_AXIS_VALUES) {
      throw new ConfigError(`axes.${name} must have at most ${MAX_AXIS_VALUES} values, got ${values.length}`);
    }
    if (name in settings) {
      throw new ConfigError(`settings.${name} is also a sweep axis (axes.${name}); give it in one place, got both`);
    }
    rawAxes.push({ name, values });
  }
  const cellCount = countCells(rawAxes as unknown as SweepAxis[]);
  if (cellCount > MAX_CELLS) {
    const product = rawAxes.map((a) => a.values.length).join(' × ');
    throw new ConfigError(`axes must make at most ${MAX_CELLS} cells, got ${cellCount} (${product})`);
  }

  const axisOrder = rawAxes.map((a) => a.name);
  const settingsInput = settings as RunInput;
  const combinations = expandAxes(rawAxes as unknown as SweepAxis[]);
  const resolvedValues = new Map<string, AxisValue>();
  const cells: SweepCell[] = combinations.map((combination) => {
    const names: RunFieldNames = { ...RUN_FLAG_NAMES };
    for (const key of PROFILE_SETTINGS) names[key] = `settings.${key}`;
    for (const name of axisOrder) names[name] = `axes.${name}[${combination.indexes[name]}]`;
    const input: RunInput = { ...settingsInput, ...combination.values, target: options.target ?? undefined, allowRemote: options.allowRemote, allowPartial: options.allowPartial, credentials: options.credentials ?? null, resilience: options.resilience };
    const config = resolveRunConfig(input, machine, names);
    const axes: Record<string, AxisValue> = {};
    for (const name of axisOrder) {
      axes[name] = config[name] ?? null;
      resolvedValues.set(`${name}[${combination.indexes[name]}]`, config[name] ?? null);
    }
    return { id: cellIdOf(axes, axisOrder), axes, config };
  });

  const axes: SweepAxis[] = rawAxes.map(({ name, values }) => {
    const resolved = values.map((_, i) => resolvedValues.get(`${name}[${i}]`) ?? null);
    resolved.forEach((value, i) => {
      const first = resolved.indexOf(value);
      if (first !== i) {
        throw new ConfigError(`axes.${name}[${i}] repeats axes.${name}[${first}]; each value may appear once, got ${describeFound(values[i])} (= ${String(value)})`);
      }
    });
    return { name, values: resolved };
  });

  return { name: origin.name, source: origin.source, description, repeat, definition, axes, cells };
}
