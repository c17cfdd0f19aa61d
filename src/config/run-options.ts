/**
 * The settings of one load run as code gives them: the `run` flags in camelCase (`--in-flight`
 * → `inFlight`), with the same defaults. The CLI maps its flags to these and the programmatic
 * API takes them as they are; both go through `runInputFromOptions` and `resolveRunConfig`, so
 * a bad value is the same ConfigError (exit code 2, message naming the flag) either way.
 */
import { cpus } from 'node:os';
import { resolveResilience, type ResilienceConfig } from '../resilience/resilience-config.js';
import { resolveClientCredentials, type ClientCredentials } from '../security/client-credentials.js';
import type { SecurityMode } from '../security/security-mode.js';
import type { Compression, EngineName, LbPolicy, Pacing } from '../types.js';
import type { Machine, RunField, RunInput } from './resolve-run.js';

/** Byte counts: an integer, or text with a binary unit (`16`, `'1KiB'`, `'64k'`, `'1MiB'`). */
export type Bytes = number | string;

/** What one run loads and how (`run` flags); every field optional, defaults as the CLI's. */
export interface LoadOptions {
  /** RouteChat server `HOST:PORT`; omitted: an embedded echo server is started (a child process) and stopped afterwards. */
  target?: string;
  /** Allow a non-loopback `target` [default: false]. */
  allowRemote?: boolean;
  /** Drop unreachable members of a target list (with a warning) instead of failing [default: false]. */
  allowPartial?: boolean;
  /** Load balancing over the target's addresses [default: round_robin for several addresses, pick_first for one]. */
  lb?: LbPolicy;
  /** Client engine [default: 'h2']. */
  engine?: EngineName;
  /** plaintext, tls, mtls, tls+jwt, mtls+jwt [default: plaintext, or what the TLS and token options make it]. */
  security?: SecurityMode;
  /** Worker threads [default: 1]. */
  workers?: number;
  /** TCP connections, at least `workers` [default: workers]. */
  connections?: number;
  /** Concurrent RouteChat streams, at least `connections` [default: connections]. */
  streams?: number;
  /** Messages outstanding per stream; 1 = ping-pong; with `rate` the cap [default: 1, with rate 1024]. */
  inFlight?: number;
  /** Open loop: total messages/s on a fixed schedule [default: closed loop]. */
  rate?: number;
  /** RouteNote.message length [default: 16]. */
  size?: Bytes;
  /** How much gzip shrinks each payload, percent 0–100 [default: 50]. */
  compressibility?: number | string;
  /** Request compression [default: 'identity']. */
  compression?: Compression;
  /** HTTP/2 flow-control window, client and embedded server [default: 64 KiB]. */
  window?: Bytes;
  /** Largest message sent or received [default: 4 MiB]. */
  maxMessageSize?: Bytes;
  /** Stream churn: half-close each call after this many echoes and open a new one [default: unlimited]. */
  messagesPerStream?: number;
  /** Connection churn: a connection carries this many streams (calls), then new ones go to a fresh connection [default: keep connections]. */
  connectionChurn?: number;
  /** Seconds of load excluded from every figure [default: 1]. */
  warmup?: number;
  /** Measured seconds after the warm-up [default: 10]. */
  duration?: number;
  /** Stop after this many measured messages instead (not with `duration`). */
  messages?: number;
  /** Compare every echo with "Server received: " + sent [default: false]. */
  verify?: boolean;
  /** Open-loop pacing [default: 'spin']. */
  pacing?: Pacing;
  /** Hard bound on the load phase, seconds [default: warmup + duration + 32]. */
  timeout?: number;
  /** Seconds to wait for outstanding echoes after sending stops [default: 2]. */
  drainTimeout?: number;
  /** Echo-server processes of the embedded server, on consecutive free ports, 1–64 (the fleet of `serve --instances`) [default: 1]. */
  instances?: number;
  /** taskset CPU list for the embedded server, or 'none' [default: first half of the CPUs]. */
  serverCpus?: string;
  /**
   * CPU list for the generator, or 'none' [default: second half of the CPUs with the embedded
   * server, else none]. Note: this pins the calling process (as the CLI pins itself).
   */
  clientCpus?: string;
  /**
   * Cap on each worker thread's V8 old generation, MiB (or "2GiB") [default: V8's]. Bounds the
   * generator's memory; a worker that needs more fails the run with an out-of-memory error.
   */
  workerHeap?: number | string;
  /** Each worker thread's V8 young generation, MiB (or "96MiB") [default: V8's]. */
  workerYoung?: number | string;
}

/** The client's TLS and token sources for an external target (the CLI's security flags). */
export interface ClientSecurityOptions {
  /** TLS, trusting the system roots (or `ca`). */
  tls?: boolean;
  /** PEM file of the CA(s) to trust (implies tls). */
  ca?: string;
  /** mTLS: client certificate PEM file (with `key`). */
  cert?: string;
  /** mTLS: client private key PEM file (with `cert`). */
  key?: string;
  /** Name the server certificate must carry. */
  serverName?: string;
  /** Bearer token read from this file. */
  tokenFile?: string;
  /** Bearer token read from this environment variable. */
  tokenEnv?: string;
  /** Mint JWTs with this PEM private key. */
  jwtSignKey?: string;
  /** Claims of minted tokens: an object or its JSON text. */
  jwtClaims?: string | Record<string, unknown>;
  /** Lifetime of minted tokens ('90s', '5m') [default: 5m]. */
  jwtTtl?: string | number;
}

/** What happens to failed streams (the CLI's resilience flags). */
export interface ResilienceOptions {
  /** Reopen a stream that failed with a retryable status after a backoff [default: false]. */
  reconnect?: boolean;
  /** Statuses worth reopening after [default: UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED]. */
  retryOn?: string | readonly string[];
  /** First backoff ('100ms', '1s'; a bare number is ms) [default: 100ms]. */
  backoffInitial?: string | number;
  /** Largest backoff [default: 5s]. */
  backoffMax?: string | number;
  /** Reopen attempts per stream over the run [default: 1000]. */
  maxReconnects?: number;
  /** Circuit breaker: 'consecutive:N' or 'rate:P/WINDOW'. */
  breaker?: string;
  /** How long an open breaker waits before a trial stream [default: 1s]. */
  breakerHalfOpenAfter?: string | number;
}

/**
 * One run split over several processes or machines (`--shard`, `--run-id`, `--start-at`). The
 * results keep the whole run's configuration; each shard measures its own part.
 */
export interface ShardOptions {
  /** 'K/N': this process drives part K (1-based) of N shards [default: the whole run]. */
  shard?: string;
  /** The id every shard of the run shares (1–128 of [A-Za-z0-9._-]); required when N > 1. */
  runId?: string;
  /** When every shard starts its warm-up: ISO 8601 with a time zone, Unix epoch ms, or a Date [default: when ready]. */
  startAt?: string | number | Date;
}

/** Everything `run` takes: load, client security and resilience settings. */
export interface RunOptions extends LoadOptions, ClientSecurityOptions, ResilienceOptions {}

/**
 * The same options as they arrive unchecked (flags are text, JavaScript callers may pass
 * anything): the validators below take these, the typed interfaces are what code is offered.
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };

/** This machine, as resolveRunConfig needs it (CPU count for pinning defaults and checks). */
export function localMachine(): Machine {
  return { cpuCount: cpus().length, platform: process.platform };
}

/** Validated client credentials; null when no TLS or token option was given. */
export function credentialsFromOptions(o: Unchecked<ClientSecurityOptions>): ClientCredentials | null {
  return resolveClientCredentials({
    tls: o.tls,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    serverName: o.serverName,
    tokenFile: o.tokenFile,
    tokenEnv: o.tokenEnv,
    jwtSignKey: o.jwtSignKey,
    jwtClaims: o.jwtClaims,
    jwtTtl: o.jwtTtl,
  });
}

/** Validated reconnect and breaker settings. */
export function resilienceFromOptions(o: Unchecked<ResilienceOptions>): ResilienceConfig {
  return resolveResilience({
    reconnect: o.reconnect,
    retryOn: Array.isArray(o.retryOn) ? o.retryOn.join(',') : o.retryOn,
    backoffInitial: o.backoffInitial,
    backoffMax: o.backoffMax,
    maxReconnects: o.maxReconnects,
    breaker: o.breaker,
    breakerHalfOpenAfter: o.breakerHalfOpenAfter,
  });
}

/** The load settings of `LoadOptions`, by their RunInput names (the keys resolve-run names flags by). */
export function loadFieldsOf(o: Unchecked<LoadOptions>): Pick<RunInput, RunField> {
  return {
    target: o.target,
    lb: o.lb,
    engine: o.engine,
    security: o.security,
    workers: o.workers,
    connections: o.connections,
    streams: o.streams,
    inFlight: o.inFlight,
    rate: o.rate,
    size: o.size,
    compressibility: o.compressibility,
    compression: o.compression,
    window: o.window,
    maxMessageSize: o.maxMessageSize,
    messagesPerStream: o.messagesPerStream,
    connectionChurn: o.connectionChurn,
    warmup: o.warmup,
    duration: o.duration,
    messages: o.messages,
    verify: o.verify,
    pacing: o.pacing,
    timeout: o.timeout,
    drainTimeout: o.drainTimeout,
    instances: o.instances,
    serverCpus: o.serverCpus,
    clientCpus: o.clientCpus,
    workerHeap: o.workerHeap,
    workerYoung: o.workerYoung,
  };
}

/** Options → raw run input: credentials and resilience validated, the rest for resolveRunConfig. */
export function runInputFromOptions(o: Unchecked<RunOptions>): RunInput {
  return {
    ...loadFieldsOf(o),
    allowRemote: o.allowRemote,
    allowPartial: o.allowPartial,
    credentials: credentialsFromOptions(o),
    resilience: resilienceFromOptions(o),
  };
}
