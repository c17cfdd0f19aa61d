import { ConfigError } from '../errors.js';
import { ENGINES } from '../engine/transport.js';
import { describeAuth, securityModeOfCredentials, type AuthDescriptor, type ClientCredentials } from '../security/client-credentials.js';
import { SECURITY_MODES, type SecurityMode } from '../security/security-mode.js';
import { RESILIENCE_DEFAULTS, type ResilienceConfig } from '../resilience/resilience-config.js';
import { SECURITY_NEEDS, throwawayAuth } from '../security/throwaway-auth.js';
import { COMPRESSIONS, PACINGS, type RunConfig } from '../types.js';
import { checkBytes, checkChoice, checkCpuList, checkInteger, checkNumber } from './checks.js';
import { defaultCpuSplit } from './placement.js';
import { checkInstances } from '../fleet/fleet-options.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  ECHO_PREFIX,
  MAX_CONNECTIONS,
  MAX_DURATION_S,
  MAX_IN_FLIGHT,
  MAX_STREAMS,
  MAX_WINDOW,
  MAX_WORKER_HEAP_MIB,
  MAX_WORKER_YOUNG_MIB,
  MAX_WORKERS,
  MIN_WORKER_HEAP_MIB,
  MIN_WORKER_YOUNG_MIB,
  MIN_WINDOW,
  ROUTE_NOTE_OVERHEAD,
  RUN_DEFAULTS,
} from './defaults.js';
import { LB_POLICIES, defaultLb, formatTargetList, parseTargetList } from './target-list.js';

/** Raw `run` settings as they come from flags or a profile: anything may be missing or wrong. */
export interface RunInput {
  target?: unknown;
  allowRemote?: unknown;
  /** Drop unreachable members of a target list (with a warning) instead of failing. */
  allowPartial?: unknown;
  /** Client-side load balancing over the target's addresses: pick_first or round_robin. */
  lb?: unknown;
  /** The client's TLS and token sources, validated from flags (never from a profile). */
  credentials?: ClientCredentials | null;
  /** Reconnect and breaker settings, validated from flags. */
  resilience?: ResilienceConfig;
  engine?: unknown;
  security?: unknown;
  workers?: unknown;
  connections?: unknown;
  streams?: unknown;
  inFlight?: unknown;
  rate?: unknown;
  size?: unknown;
  compressibility?: unknown;
  compression?: unknown;
  window?: unknown;
  maxMessageSize?: unknown;
  messagesPerStream?: unknown;
  connectionChurn?: unknown;
  warmup?: unknown;
  duration?: unknown;
  messages?: unknown;
  verify?: unknown;
  pacing?: unknown;
  timeout?: unknown;
  drainTimeout?: unknown;
  instances?: unknown;
  serverCpus?: unknown;
  clientCpus?: unknown;
  workerHeap?: unknown;
  workerYoung?: unknown;
}

/** The run settings a flag or a profile can set (allowRemote is a permission, not a setting). */
export type RunField = Exclude<keyof RunInput, 'allowRemote' | 'allowPartial' | 'credentials' | 'resilience'>;

/** How a setting is named in messages: flags by default; profiles pass paths such as `axes.size[2]`. */
export type RunFieldNames = Record<RunField, string>;

export const RUN_FLAG_NAMES: RunFieldNames = {
  target: '--target',
  lb: '--lb',
  engine: '--engine',
  security: '--security',
  workers: '--workers',
  connections: '--connections',
  streams: '--streams',
  inFlight: '--in-flight',
  rate: '--rate',
  size: '--size',
  compressibility: '--compressibility',
  compression: '--compression',
  window: '--window',
  maxMessageSize: '--max-message-size',
  messagesPerStream: '--messages-per-stream',
  connectionChurn: '--connection-churn',
  warmup: '--warmup',
  duration: '--duration',
  messages: '--messages',
  verify: '--verify',
  pacing: '--pacing',
  timeout: '--timeout',
  drainTimeout: '--drain-timeout',
  instances: '--instances',
  serverCpus: '--server-cpus',
  clientCpus: '--client-cpus',
  workerHeap: '--worker-heap',
  workerYoung: '--worker-young',
};

export interface Machine {
  cpuCount: number;
  platform: string;
}

const given = (value: unknown): boolean => value !== undefined && value !== null;

/** The largest RouteNote.message whose echo still fits in maxMessageSize. */
export function maxPayloadSize(maxMessageSize: number): number {
  return maxMessageSize - ECHO_PREFIX.length - ROUTE_NOTE_OVERHEAD;
}

function resolveCpus(
  input: RunInput,
  embedded: boolean,
  machine: Machine,
  names: RunFieldNames,
): { serverCpus: string | null; clientCpus: string | null } {
  const none = (v: unknown): boolean => v === 'none';
  if (given(input.serverCpus) && !embedded) {
    throw new ConfigError(`${names.serverCpus} applies only to the embedded echo server; it cannot be used with ${names.target}`);
  }
  const split = defaultCpuSplit(machine.cpuCount, machine.platform);
  const pick = (name: string, value: unknown, fallback: string | null): string | null => {
    if (!given(value) || value === 'auto') return fallback;
    if (none(value)) return null;
    if (machine.platform !== 'linux') throw new ConfigError(`${name} needs Linux (taskset); this is ${machine.platform}`);
    return checkCpuList(name, value, machine.cpuCount);
  };
  const serverCpus = embedded ? pick(names.serverCpus, input.serverCpus, split?.serverCpus ?? null) : null;
  const clientCpus = pick(names.clientCpus, input.clientCpus, embedded ? (split?.clientCpus ?? null) : null);
  return { serverCpus, clientCpus };
}

/**
 * Validates and completes `run` settings. Throws ConfigError naming the first bad setting,
 * by its flag or, with `names`, by its path in a profile.
 */
export function resolveRunConfig(input: RunInput, machine: Machine, names: RunFieldNames = RUN_FLAG_NAMES): RunConfig {
  const n = names;
  const members = given(input.target) ? parseTargetList(input.target, input.allowRemote === true, n.target) : null;
  const target = members === null ? null : formatTargetList(members);
  if (given(input.instances) && target !== null) {
    throw new ConfigError(`${n.instances} applies only to the embedded echo server; it cannot be used with ${n.target} (start a fleet with serve --instances and list its addresses)`);
  }
  const instances = given(input.instances) ? checkInstances(n.instances, input.instances) : 1;
  // An embedded fleet is several addresses too: spread over them unless told otherwise.
  const lb = given(input.lb) ? checkChoice(n.lb, input.lb, LB_POLICIES) : target === null && instances > 1 ? 'round_robin' : defaultLb(members);

  const maxMessageSize = given(input.maxMessageSize)
    ? checkBytes(n.maxMessageSize, input.maxMessageSize, 1024, 2 ** 31 - 1)
    : DEFAULT_MAX_MESSAGE_SIZE;
  const maxSize = maxPayloadSize(maxMessageSize);
  const size = given(input.size)
    ? checkBytes(n.size, input.size, 0, maxSize, ` (the echo of a larger message exceeds ${n.maxMessageSize} ${maxMessageSize})`)
    : RUN_DEFAULTS.size;

  const workers = given(input.workers) ? checkInteger(n.workers, input.workers, 1, MAX_WORKERS) : RUN_DEFAULTS.workers;
  const connections = given(input.connections)
    ? checkInteger(n.connections, input.connections, 1, MAX_CONNECTIONS)
    : Math.max(RUN_DEFAULTS.connections, workers);
  const streams = given(input.streams) ? checkInteger(n.streams, input.streams, 1, MAX_STREAMS) : Math.max(RUN_DEFAULTS.streams, connections);
  if (connections < workers) {
    throw new ConfigError(`${n.connections} (${connections}) must be at least ${n.workers} (${workers}): each worker owns its own connections`);
  }
  if (streams < connections) {
    throw new ConfigError(`${n.streams} (${streams}) must be at least ${n.connections} (${connections}): each connection carries at least one stream`);
  }

  const rate = given(input.rate) ? checkNumber(n.rate, input.rate, 0, 10_000_000) : null;
  const inFlight = given(input.inFlight)
    ? checkInteger(n.inFlight, input.inFlight, 1, MAX_IN_FLIGHT)
    : rate === null
      ? RUN_DEFAULTS.inFlight
      : RUN_DEFAULTS.openLoopInFlight;

  const compression = given(input.compression) ? checkChoice(n.compression, input.compression, COMPRESSIONS) : RUN_DEFAULTS.compression;
  const engine = given(input.engine) ? checkChoice(n.engine, input.engine, ENGINES) : RUN_DEFAULTS.engine;
  const compressibility = given(input.compressibility) ? checkPercent(n.compressibility, input.compressibility) : RUN_DEFAULTS.compressibility;
  const messagesPerStream = given(input.messagesPerStream) ? checkInteger(n.messagesPerStream, input.messagesPerStream, 1, Number.MAX_SAFE_INTEGER) : null;
  const connectionChurn = given(input.connectionChurn) ? checkInteger(n.connectionChurn, input.connectionChurn, 1, Number.MAX_SAFE_INTEGER) : null;
  const window = given(input.window) ? checkBytes(n.window, input.window, MIN_WINDOW, MAX_WINDOW) : null;

  const warmupS = given(input.warmup) ? checkNumberOrZero(n.warmup, input.warmup) : RUN_DEFAULTS.warmupS;
  if (given(input.duration) && given(input.messages)) {
    throw new ConfigError(`${n.duration} and ${n.messages} are alternative ways to stop a run; give one of them`);
  }
  const messages = given(input.messages) ? checkInteger(n.messages, input.messages, 1, Number.MAX_SAFE_INTEGER) : null;
  const durationS = messages !== null ? null : given(input.duration) ? checkNumber(n.duration, input.duration, 0, MAX_DURATION_S) : RUN_DEFAULTS.durationS;
  if (messages !== null && messages < streams) {
    throw new ConfigError(`${n.messages} (${messages}) must be at least ${n.streams} (${streams}): every stream sends at least one measured message`);
  }
  const drainTimeoutS = given(input.drainTimeout) ? checkNumber(n.drainTimeout, input.drainTimeout, 0, 600) : RUN_DEFAULTS.drainTimeoutS;
  const defaultTimeout = durationS !== null ? warmupS + durationS + drainTimeoutS + 30 : 600;
  const timeoutS = given(input.timeout) ? checkNumber(n.timeout, input.timeout, 0, MAX_DURATION_S * 2) : defaultTimeout;
  if (durationS !== null && timeoutS < warmupS + durationS) {
    throw new ConfigError(`${n.timeout} (${timeoutS} s) must be at least ${n.warmup} + ${n.duration} (${warmupS + durationS} s)`);
  }

  const { serverCpus, clientCpus } = resolveCpus(input, target === null, machine, n);
  const { security, auth } = resolveSecurity(input, target === null, n);

  return {
    target,
    lb,
    allowPartial: input.allowPartial === true,
    engine,
    security,
    auth,
    resilience: input.resilience ?? RESILIENCE_DEFAULTS,
    workers,
    connections,
    streams,
    inFlight,
    rate,
    size,
    compressibility,
    compression,
    window,
    maxMessageSize,
    messagesPerStream,
    connectionChurn,
    warmupS,
    durationS,
    messages,
    verify: input.verify === true,
    pacing: given(input.pacing) ? checkChoice(n.pacing, input.pacing, PACINGS) : 'spin',
    timeoutS,
    drainTimeoutS,
    instances,
    serverCpus,
    clientCpus,
    workerHeapMiB: given(input.workerHeap) ? checkMiB(n.workerHeap, input.workerHeap, MIN_WORKER_HEAP_MIB, MAX_WORKER_HEAP_MIB, "each worker's V8 old generation") : null,
    workerYoungMiB: given(input.workerYoung) ? checkMiB(n.workerYoung, input.workerYoung, MIN_WORKER_YOUNG_MIB, MAX_WORKER_YOUNG_MIB, "each worker's V8 young generation") : null,
  };
}

/** A memory size in whole MiB: a number of MiB, or with a unit ("512MiB", "2GiB"). */
function checkMiB(name: string, value: unknown, min: number, max: number, what: string): number {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(m|mib|g|gib)?\s*$/i.exec(value) : null;
  const mib = typeof value === 'number' ? value : match ? Number(match[1]) * (/^g/i.test(match[2] ?? '') ? 1024 : 1) : Number.NaN;
  if (!Number.isInteger(mib) || mib < min || mib > max) {
    throw new ConfigError(`${name} must be a whole number of MiB from ${min} to ${max} (${what}), e.g. 256 or 2GiB, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return mib;
}

/**
 * The embedded server makes its own throwaway certificates and signing key for the mode asked;
 * an external target is secured as the client flags say (--security, if given, must agree).
 */
function resolveSecurity(input: RunInput, embedded: boolean, n: RunFieldNames): { security: SecurityMode; auth: AuthDescriptor | null } {
  const credentials = input.credentials ?? null;
  const asked = given(input.security) ? checkChoice(n.security, input.security, SECURITY_MODES) : null;
  if (embedded) {
    if (credentials !== null) {
      throw new ConfigError(`--tls, --ca, --cert, --key, --server-name and the token flags secure an external ${n.target}; the embedded server makes its own throwaway certificates and signing key for ${n.security} MODE`);
    }
    const security = asked ?? 'plaintext';
    return { security, auth: throwawayAuth(security) };
  }
  const security = securityModeOfCredentials(credentials);
  if (asked !== null && asked !== security) {
    throw new ConfigError(`${n.security} ${asked} does not match the client flags, which make it ${security}: ${SECURITY_NEEDS[asked]}`);
  }
  return { security, auth: describeAuth(credentials) };
}

function checkPercent(name: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(/%$/, '')) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new ConfigError(`${name} must be a percentage from 0 to 100 (how much gzip should shrink each payload), got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return n;
}

function checkNumberOrZero(name: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_DURATION_S) {
    throw new ConfigError(`${name} must be a number of seconds from 0 to ${MAX_DURATION_S}, got ${String(value)}`);
  }
  return n;
}
