import type { ClientSecurityOptions, LoadOptions, ResilienceOptions, RunOptions, ShardOptions } from '../config/run-options.js';
import { ConfigError } from '../errors.js';

/**
 * The option names a function takes, as a record so the compiler holds it to the options
 * interface: every key present, none extra.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Rejects what the CLI's strict flag parsing would: an options argument that is not an object,
 * or an option the function does not know (a misspelt `stream` would otherwise run with the
 * default and measure something else than asked).
 */
export function checkKnownOptions(fn: string, options: unknown, names: OptionNames<object>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(`${fn}() takes an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const known = Object.keys(names);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${fn}(): unknown option "${key}"; options: ${known.join(', ')}`);
  }
}

const LOAD_OPTION_NAMES: OptionNames<LoadOptions> = {
  target: true,
  allowRemote: true,
  allowPartial: true,
  lb: true,
  engine: true,
  security: true,
  workers: true,
  connections: true,
  streams: true,
  inFlight: true,
  rate: true,
  size: true,
  compressibility: true,
  compression: true,
  window: true,
  maxMessageSize: true,
  messagesPerStream: true,
  connectionChurn: true,
  warmup: true,
  duration: true,
  messages: true,
  verify: true,
  pacing: true,
  timeout: true,
  drainTimeout: true,
  instances: true,
  serverCpus: true,
  clientCpus: true,
  workerHeap: true,
  workerYoung: true,
};

export const CLIENT_SECURITY_OPTION_NAMES: OptionNames<ClientSecurityOptions> = {
  tls: true,
  ca: true,
  cert: true,
  key: true,
  serverName: true,
  tokenFile: true,
  tokenEnv: true,
  jwtSignKey: true,
  jwtClaims: true,
  jwtTtl: true,
};

export const RESILIENCE_OPTION_NAMES: OptionNames<ResilienceOptions> = {
  reconnect: true,
  retryOn: true,
  backoffInitial: true,
  backoffMax: true,
  maxReconnects: true,
  breaker: true,
  breakerHalfOpenAfter: true,
};

export const SHARD_OPTION_NAMES: OptionNames<ShardOptions> = {
  shard: true,
  runId: true,
  startAt: true,
};

/** Every `run` setting: load, client security, resilience. */
export const RUN_SETTING_NAMES: OptionNames<RunOptions> = { ...LOAD_OPTION_NAMES, ...CLIENT_SECURITY_OPTION_NAMES, ...RESILIENCE_OPTION_NAMES };
