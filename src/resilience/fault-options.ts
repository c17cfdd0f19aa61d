/**
 * The fault flags of `serve`, checked once before anything listens: combinations first (a flag
 * that needs another), then each flag's range. Every problem is one ConfigError line naming
 * the flag, what is allowed and what was given.
 */
import { checkInteger } from '../config/checks.js';
import { Status, STATUS_NAMES, type StatusName } from '../engine/status-codes.js';
import { ConfigError } from '../errors.js';
import type { StallSchedule } from './fault-plan.js';

export const FAULT_DOMAIN = 'grpc-stream-bench';
export const DEFAULT_FAIL_REASON = 'INJECTED_FAULT';
export const DEFAULT_FAULT_SEED = 1;
export const DEFAULT_REJECT_STATUS: StatusName = 'UNAVAILABLE';
export const DEFAULT_ABORT_STATUS: StatusName = 'ABORTED';

/** Status names a fault may end a stream with (OK is not a fault). */
export const FAULT_STATUS_NAMES = STATUS_NAMES.filter((name) => name !== 'OK');

/** google.rpc.ErrorInfo: "at most 63 characters and match [A-Z][A-Z0-9_]+[A-Z0-9]". */
const ERROR_INFO_REASON = /^[A-Z][A-Z0-9_]{0,61}[A-Z0-9]$/;

export interface FaultFlags {
  'fail-rate'?: unknown;
  'fail-status'?: unknown;
  'fail-reason'?: unknown;
  'retry-after'?: unknown;
  'abort-after'?: unknown;
  'stall-every'?: unknown;
  'stall-ms'?: unknown;
  'drop-rate'?: unknown;
  'max-connection-age'?: unknown;
  'max-connection-age-grace'?: unknown;
  'fault-seed'?: unknown;
}

/** The status a fault ends a stream with, and the ErrorInfo reason it carries. */
export interface FaultStatus {
  status: StatusName;
  code: number;
  reason: string;
}

export interface RejectFault extends FaultStatus {
  /** Fraction of new streams rejected before any echo, 0..1. */
  rate: number;
  /** RetryInfo.retry_delay, ms; null: no RetryInfo. */
  retryAfterMs: number | null;
}

export interface AbortFault extends FaultStatus {
  /** Echoes sent before the stream is ended. */
  afterEchoes: number;
}

export interface ConnectionAgeFault {
  /** GOAWAY this long after the connection opened. */
  ageMs: number;
  /** After the GOAWAY, streams still open this long are closed with the connection; null: never. */
  graceMs: number | null;
}

/** The resolved fault settings (JSON-ready: they go into the --stats file as given). */
export interface FaultOptions {
  seed: number;
  reject: RejectFault | null;
  abort: AbortFault | null;
  /** Fraction of notes never echoed, 0..1. */
  drop: { rate: number } | null;
  stall: StallSchedule | null;
  connectionAge: ConnectionAgeFault | null;
}

/** Whether the options inject anything at all. */
export function injectsFaults(options: FaultOptions): boolean {
  return options.reject !== null || options.abort !== null || options.drop !== null || options.stall !== null || options.connectionAge !== null;
}

function single(flags: FaultFlags, name: keyof FaultFlags): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ConfigError(`--${name} was given ${value.length} times; give it once`);
  return String(value);
}

/** A number in [min, max]; `unit` names what it counts ("seconds"). */
function checkRange(name: string, text: string, min: number, max: number, unit = ''): number {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`--${name} must be a number${unit === '' ? '' : ` of ${unit}`} from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function checkStatusName(name: string, text: string): StatusName {
  const upper = text.trim().toUpperCase();
  const found = FAULT_STATUS_NAMES.find((status) => status === upper);
  if (found === undefined) throw new ConfigError(`--${name} must be a gRPC status name other than OK (${FAULT_STATUS_NAMES.join(', ')}), got ${JSON.stringify(text)}`);
  return found;
}

function checkReason(name: string, text: string): string {
  if (!ERROR_INFO_REASON.test(text)) {
    throw new ConfigError(`--${name} must be an ErrorInfo reason: 2 to 63 characters of A-Z, 0-9 and _, starting with a letter and not ending with _ (e.g. OVERLOADED), got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Rejects a flag given without the one it works with. */
function requireWith(flags: FaultFlags, name: keyof FaultFlags, needs: (keyof FaultFlags)[], why: string): void {
  if (flags[name] === undefined || needs.some((other) => flags[other] !== undefined)) return;
  throw new ConfigError(`--${name} needs ${needs.map((other) => `--${other}`).join(' or ')} (${why})`);
}

/** Checks the fault flags and resolves them; throws a ConfigError on the first problem. */
export function resolveFaultOptions(flags: FaultFlags): FaultOptions {
  requireWith(flags, 'fail-status', ['fail-rate', 'abort-after'], 'it is the status rejected or aborted streams end with');
  requireWith(flags, 'fail-reason', ['fail-rate', 'abort-after'], 'it is the ErrorInfo reason of rejected or aborted streams');
  requireWith(flags, 'retry-after', ['fail-rate'], 'the RetryInfo goes with rejected streams');
  requireWith(flags, 'stall-ms', ['stall-every'], 'how often the server stalls');
  requireWith(flags, 'stall-every', ['stall-ms'], 'how long each stall lasts');
  requireWith(flags, 'max-connection-age-grace', ['max-connection-age'], 'the grace starts at the GOAWAY');

  const text = (name: keyof FaultFlags): string | undefined => single(flags, name);
  const seedText = text('fault-seed');
  const seed = seedText === undefined ? DEFAULT_FAULT_SEED : checkInteger('--fault-seed', seedText, 0, 4_294_967_295);
  const statusText = text('fail-status');
  const status = statusText === undefined ? null : checkStatusName('fail-status', statusText);
  const reasonText = text('fail-reason');
  const reason = reasonText === undefined ? DEFAULT_FAIL_REASON : checkReason('fail-reason', reasonText);
  const faultStatus = (fallback: StatusName): FaultStatus => {
    const name = status ?? fallback;
    return { status: name, code: Status[name], reason };
  };

  const failRateText = text('fail-rate');
  const retryText = text('retry-after');
  const reject: RejectFault | null =
    failRateText === undefined
      ? null
      : {
          rate: checkRange('fail-rate', failRateText, 0, 1),
          ...faultStatus(DEFAULT_REJECT_STATUS),
          retryAfterMs: retryText === undefined ? null : checkInteger('--retry-after', retryText, 0, 3_600_000, ' (ms)'),
        };

  const abortText = text('abort-after');
  const abort: AbortFault | null =
    abortText === undefined ? null : { afterEchoes: checkInteger('--abort-after', abortText, 1, 1_000_000_000, ' (echoes)'), ...faultStatus(DEFAULT_ABORT_STATUS) };

  const dropText = text('drop-rate');
  const drop = dropText === undefined ? null : { rate: checkRange('drop-rate', dropText, 0, 1) };

  const everyText = text('stall-every');
  const stallMsText = text('stall-ms');
  let stall: StallSchedule | null = null;
  if (everyText !== undefined && stallMsText !== undefined) {
    const everyMs = Math.round(checkRange('stall-every', everyText, 0.01, 86_400, 'seconds') * 1000);
    stall = { everyMs, durationMs: checkInteger('--stall-ms', stallMsText, 1, everyMs - 1, ` (shorter than --stall-every ${everyText} s)`) };
  }

  const ageText = text('max-connection-age');
  const graceText = text('max-connection-age-grace');
  const connectionAge: ConnectionAgeFault | null =
    ageText === undefined
      ? null
      : {
          ageMs: Math.round(checkRange('max-connection-age', ageText, 0.01, 86_400, 'seconds') * 1000),
          graceMs: graceText === undefined ? null : Math.round(checkRange('max-connection-age-grace', graceText, 0, 86_400, 'seconds') * 1000),
        };

  return { seed, reject, abort, drop, stall, connectionAge };
}
