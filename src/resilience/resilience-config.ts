/**
 * What a client does when a stream fails: reopen it after a backoff (--reconnect), and guard
 * reopening with a circuit breaker (--breaker). Resolved and validated once, from flags or a
 * profile; the policies themselves are cockatiel's (see reconnect-policy.ts).
 */
import { ConfigError } from '../errors.js';
import { Status, STATUS_NAMES } from '../engine/status-codes.js';
import { checkDuration } from '../config/checks.js';

export type BreakerSpec = { kind: 'consecutive'; failures: number } | { kind: 'rate'; threshold: number; windowMs: number };

export interface ResilienceConfig {
  /** Reopen failed streams; false: a failed stream stays failed (failures stay visible). */
  reconnect: boolean;
  /** Status names a stream is reopened after; INTERNAL only when the transport broke, unless named here. */
  retryOn: string[];
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Reopen attempts per stream over the run. */
  maxReconnects: number;
  breaker: BreakerSpec | null;
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_RETRY_ON = ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'ABORTED'];
export const RESILIENCE_DEFAULTS: ResilienceConfig = {
  reconnect: false,
  retryOn: DEFAULT_RETRY_ON,
  backoffInitialMs: 100,
  backoffMaxMs: 5_000,
  maxReconnects: 1_000,
  breaker: null,
  breakerHalfOpenAfterMs: 1_000,
};

export interface ResilienceInput {
  reconnect?: unknown;
  retryOn?: unknown;
  backoffInitial?: unknown;
  backoffMax?: unknown;
  maxReconnects?: unknown;
  breaker?: unknown;
  breakerHalfOpenAfter?: unknown;
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

/** A duration flag in ms (a bare number is ms): 1 ms to 1 h. */
function durationMs(flag: string, value: unknown): number {
  return Math.round(checkDuration(flag, value, 0.001, 3600, 'ms') * 1000);
}

/** "consecutive:5" or "rate:0.5/10s". */
export function parseBreaker(value: unknown): BreakerSpec {
  const text = String(value);
  const consecutive = /^consecutive:(\d+)$/.exec(text);
  if (consecutive) {
    const failures = Number(consecutive[1]);
    if (failures >= 1 && failures <= 1_000_000) return { kind: 'consecutive', failures };
  }
  const rate = /^rate:(0?\.\d+|1(?:\.0*)?|0)\/(.+)$/.exec(text);
  if (rate) {
    const threshold = Number(rate[1]);
    if (threshold > 0 && threshold <= 1) return { kind: 'rate', threshold, windowMs: durationMs('--breaker rate window', rate[2]) };
  }
  throw new ConfigError(`--breaker must be consecutive:N (open after N failed stream opens in a row) or rate:P/WINDOW (open when a share P in (0, 1] of the opens in WINDOW fail, e.g. rate:0.5/10s), got ${JSON.stringify(text)}`);
}

export function resolveResilience(input: ResilienceInput): ResilienceConfig {
  const reconnect = input.reconnect === true;
  const retryOn = given(input.retryOn) ? parseRetryOn(input.retryOn) : DEFAULT_RETRY_ON;
  const backoffInitialMs = given(input.backoffInitial) ? durationMs('--backoff-initial', input.backoffInitial) : RESILIENCE_DEFAULTS.backoffInitialMs;
  const backoffMaxMs = given(input.backoffMax) ? durationMs('--backoff-max', input.backoffMax) : RESILIENCE_DEFAULTS.backoffMaxMs;
  if (backoffMaxMs < backoffInitialMs) throw new ConfigError(`--backoff-max (${backoffMaxMs} ms) must be at least --backoff-initial (${backoffInitialMs} ms)`);
  let maxReconnects = RESILIENCE_DEFAULTS.maxReconnects;
  if (given(input.maxReconnects)) {
    maxReconnects = Number(input.maxReconnects);
    if (!Number.isInteger(maxReconnects) || maxReconnects < 1 || maxReconnects > 1_000_000) {
      throw new ConfigError(`--max-reconnects must be an integer from 1 to 1000000, got ${JSON.stringify(input.maxReconnects)}`);
    }
  }
  const breaker = given(input.breaker) ? parseBreaker(input.breaker) : null;
  const breakerHalfOpenAfterMs = given(input.breakerHalfOpenAfter) ? durationMs('--breaker-half-open-after', input.breakerHalfOpenAfter) : RESILIENCE_DEFAULTS.breakerHalfOpenAfterMs;
  const needsReconnect = ['retryOn', 'backoffInitial', 'backoffMax', 'maxReconnects', 'breaker', 'breakerHalfOpenAfter'].filter((k) => given(input[k as keyof ResilienceInput]));
  if (!reconnect && needsReconnect.length > 0) {
    throw new ConfigError(`${needsReconnect.map(flagOf).join(', ')} shape how failed streams are reopened: ${needsReconnect.length > 1 ? 'they need' : 'it needs'} --reconnect`);
  }
  if (given(input.breakerHalfOpenAfter) && breaker === null) throw new ConfigError('--breaker-half-open-after needs --breaker');
  return { reconnect, retryOn, backoffInitialMs, backoffMaxMs, maxReconnects, breaker, breakerHalfOpenAfterMs };
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function parseRetryOn(value: unknown): string[] {
  const names = String(value)
    .split(',')
    .map((n) => n.trim().toUpperCase())
    .filter(Boolean);
  for (const name of names) {
    if (!(STATUS_NAMES as readonly string[]).includes(name) || name === 'OK') {
      throw new ConfigError(`--retry-on must be a comma-separated list of gRPC status names (${STATUS_NAMES.filter((s) => s !== 'OK').join(', ')}), got ${JSON.stringify(name)}`);
    }
  }
  if (names.length === 0) throw new ConfigError('--retry-on must name at least one gRPC status');
  return names;
}

/** Whether a stream that failed with this status is reopened. */
export function isRetryable(config: ResilienceConfig, code: number, transport: boolean): boolean {
  const name = STATUS_NAMES[code] ?? '';
  if (config.retryOn.includes(name)) return true;
  return transport && code === Status.INTERNAL && config.retryOn === DEFAULT_RETRY_ON;
}
