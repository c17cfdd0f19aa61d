/** Shared contracts between config, plan, workers, stats, results and renderers. */
import type { EngineName, WireBytes } from './engine/transport.js';
import type { LbPolicy } from './config/target-list.js';
import type { AuthDescriptor, ClientCredentials } from './security/client-credentials.js';
import type { SecurityMode } from './security/security-mode.js';
import type { ResilienceConfig } from './resilience/resilience-config.js';

export type { AuthDescriptor, ClientCredentials, EngineName, LbPolicy, ResilienceConfig, SecurityMode, WireBytes };

export const COMPRESSIONS = ['identity', 'deflate', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export const PACINGS = ['spin', 'timer'] as const;
export type Pacing = (typeof PACINGS)[number];

/** A fully resolved, validated `run` configuration. */
export interface RunConfig {
  /**
   * The RouteChat server(s) as given: host:port, a comma-separated list of them, or
   * dns:///name:port members; null starts the embedded echo server.
   */
  target: string | null;
  /** The addresses the run loaded (DNS resolved, unreachable members dropped with --allow-partial); absent before the run and in older files. */
  targets?: string[] | null;
  /** Client-side load balancing over the addresses; absent in older files (pick_first). */
  lb?: LbPolicy;
  /** Unreachable members of a target list are dropped with a warning instead of failing the run. */
  allowPartial?: boolean;
  /** The client engine: 'h2' (lean, on node:http2) or 'grpc-js'. */
  engine: EngineName;
  /** plaintext, tls, mtls, tls+jwt or mtls+jwt. */
  security: SecurityMode;
  /** How the client authenticates (kinds and claim names only: no paths, no secrets); null for plaintext. */
  auth: AuthDescriptor | null;
  /** Reconnects and circuit breaker: what happens when a stream fails. */
  resilience: ResilienceConfig;
  workers: number;
  connections: number;
  streams: number;
  /** Messages outstanding per stream (closed loop), or the cap on outstanding messages (open loop). */
  inFlight: number;
  /** Total messages per second across all streams (open loop); null = closed loop. */
  rate: number | null;
  /** RouteNote.message length in bytes. */
  size: number;
  /** How much gzip should shrink a payload, percent (0..100); printable ASCII can't go below ~15. */
  compressibility: number;
  compression: Compression;
  /** HTTP/2 flow-control window in bytes (stream and connection); null = grpc-js default. */
  window: number | null;
  maxMessageSize: number;
  /** Stream churn: echoes per RouteChat call before a new call replaces it; null = one call per stream. */
  messagesPerStream: number | null;
  /** Connection churn: streams (calls) a connection carries before new ones go to a fresh connection; null = keep connections. */
  connectionChurn: number | null;
  warmupS: number;
  /** Measured duration; null when the run stops on `messages`. */
  durationS: number | null;
  /** Measured messages (after warm-up) at which the run stops; null = stop on duration. */
  messages: number | null;
  verify: boolean;
  /**
   * Open-loop pacing: 'spin' busy-waits the last ~1 ms before each due send (sends within tens
   * of µs, costs the generator's CPU); 'timer' sleeps on timers (~1 ms resolution, idle CPU).
   */
  pacing: Pacing;
  /** Upper bound on the whole load phase, a guard against runs that never finish. */
  timeoutS: number;
  /** How long to wait for outstanding echoes after sending stops. */
  drainTimeoutS: number;
  /** Echo-server processes of the embedded server (a fleet on consecutive ports when > 1); 1 with a target. */
  instances: number;
  /** CPU placement request; null = do not pin. */
  serverCpus: string | null;
  clientCpus: string | null;
  /**
   * Cap on each worker thread's V8 old generation, MiB (the worker's `--max-old-space-size`);
   * null = V8's default. Lower caps bound the generator's memory at the cost of more major GCs.
   */
  workerHeapMiB: number | null;
  /**
   * Each worker thread's V8 young generation, MiB; null = V8's default. A larger one lets
   * short-lived objects die young instead of being promoted (cheaper GC, more memory).
   */
  workerYoungMiB: number | null;
}

/** What one worker thread is asked to do. */
export interface WorkerTask {
  workerIndex: number;
  target: string;
  /** The addresses to spread connections over (absent: [target]). */
  targets?: string[];
  /** How connections are placed on the addresses (absent: pick_first). */
  lb?: LbPolicy;
  /** Index of this worker's first connection in the run's connection order (round_robin placement). */
  firstConnection?: number;
  engine: EngineName;
  /** Where the client's TLS material and token come from; null for plaintext. */
  credentials: ClientCredentials | null;
  resilience: ResilienceConfig;
  connections: number;
  streams: number;
  inFlight: number;
  /** This worker's share of the total rate, msgs/s; null = closed loop. */
  rate: number | null;
  /** Offset of this worker's first stream in the global stream order (spreads open-loop phases). */
  firstStream: number;
  totalStreams: number;
  size: number;
  compressibility: number;
  compression: Compression;
  window: number | null;
  maxMessageSize: number;
  messagesPerStream: number | null;
  /** Connection churn: calls per connection before a fresh one; null = keep connections. */
  connectionChurn: number | null;
  warmupMs: number;
  durationMs: number | null;
  /** This worker's share of the measured messages; null = stop on duration. */
  messages: number | null;
  verify: boolean;
  pacing: Pacing;
  drainTimeoutMs: number;
  timeoutMs: number;
}

export type StopReason = 'duration' | 'messages' | 'interrupted' | 'all-streams-failed' | 'timeout';

/** Progress a worker posts every second of the run, aligned to the common start. */
export interface ProgressTick {
  type: 'tick';
  workerIndex: number;
  /** Seconds since the common start (1 = the first second). */
  second: number;
  received: number;
  errors: number;
  errorsByCategory: Record<string, number>;
  reconnects: number;
  /** Streams up (not failed, not waiting to be reopened) at the end of the second. */
  openStreams: number;
  /** The circuit breaker at the end of the second; null without --breaker. */
  breaker: BreakerTransition['state'] | null;
  /** Connections opened in that second (first connections, reconnections and churn). */
  connectionsOpened?: number;
  /** The worker isolate's used heap at the end of the second, bytes (v8.getHeapStatistics). */
  heapUsedBytes?: number;
  /** Latency of the echoes received in that second, encoded HDR histogram (µs). */
  histogram: string;
  /** The worker's event-loop utilization over that second (0–1). */
  eventLoopUtilization?: number;
  /** The run's last, partial second (from the last full second to the end of the drain); only in WorkerResult.finalTick. */
  partial?: boolean;
  /** Open loop: how late that second's measured sends went out; null when none (closed loop, warm-up). */
  sendLag?: { sends: number; meanMs: number; maxMs: number } | null;
  /**
   * Echoes of that second per backend the worker has seen (0 for a backend that sent none), at
   * most 64 entries, sorted by backend; beyond that, the rest summed as "other". Absent from
   * workers that predate per-backend figures.
   */
  backends?: BackendSecond[];
}

/** Echoes one backend returned in one second (warm-up included). */
export interface BackendSecond {
  /** As in WorkerBackend, or "other": the backends beyond the bound, summed. */
  backend: string;
  received: number;
}

export interface WorkerReady {
  type: 'ready';
  workerIndex: number;
}

export type WorkerMessage = ProgressTick | WorkerReady;

/** Main-thread → worker control messages. */
export type ControlMessage = { type: 'start'; epochMs: number } | { type: 'stop' };

/** Counters shared by a worker result and an aggregate. */
export interface Counters {
  /** Messages sent in the measured window (their echoes are recorded). */
  sent: number;
  /** Echoes received for measured messages. */
  received: number;
  /** Echoes received inside the measured window (throughput numerator). */
  receivedInWindow: number;
  /** All echoes, warm-up included (CPU per message denominator). */
  receivedTotal: number;
  bytesSent: number;
  bytesReceived: number;
  /** Echoes whose content was not the expected one. */
  mismatches: number;
  /** Measured messages whose echo never arrived. */
  unanswered: number;
  /** Streams the server ended with OK while messages were outstanding or before the client half-closed. */
  streamsEndedEarly: number;
  /** RouteChat calls opened in the measured window (stream churn opens many per stream). */
  streamsOpened: number;
  /** Failed streams counted by gRPC status name. */
  errorsByStatus: Record<string, number>;
  /** Every failure by category: transport, rejected, aborted, deadline, auth, protocol (wrong echoes included), harness. */
  errorsByCategory: Record<string, number>;
  /** Failed streams by the ErrorInfo of their rich status ("domain/REASON"). */
  errorsByReason: Record<string, number>;
  /** Open-loop messages that could not be sent at their intended time (late by > 1 ms). */
  lateSends: number;
  /** Open loop: sum of (actual − intended send time) over measured sends the generator paced itself, ms. */
  sendLagMsTotal: number;
  /** Open loop: measured sends that went out late because the in-flight cap or backpressure held them back. */
  heldBackSends: number;
  /** Open loop: measured messages the server's backpressure kept from being sent even by the end of the drain. */
  unsent: number;
  /** Measured messages outstanding on a stream that failed and was reopened: never echoed, never replayed. */
  lost: number;
  /** Attempts to reopen a failed stream (--reconnect). */
  reconnects: number;
  /** Connections the generator opened over the whole run: the first ones, reconnections and connection churn. */
  connectionsOpened: number;
  /** Streams the server refused (RST_STREAM REFUSED_STREAM) or the client did not open because the server's MAX_CONCURRENT_STREAMS was reached; also counted in errorsByStatus. */
  refusedStreams: number;
  /**
   * h2 engine: calls the server refused before processing them (REFUSED_STREAM, e.g. caught by a
   * GOAWAY) that were opened again at once and sent their outstanding messages again — a
   * transparent retry, once per call, as grpc-js and grpc-go do. Not errors. (grpc-js retries such
   * calls inside the library, unseen: always 0 there.)
   */
  transparentRetries: number;
}

/** A period in which at least one stream was down (failed, not yet reopened). */
export interface Outage {
  /** Epoch ms. */
  startMs: number;
  endMs: number;
  /** Still going when the run ended. */
  ongoing: boolean;
  /** Streams that went down during it. */
  streams: number;
  reconnects: number;
  lost: number;
  /** Open loop: measured messages due during it, sent once their stream was back (latency from the intended time). */
  delayed?: number;
}

/** A circuit-breaker state change, epoch ms. */
export interface BreakerTransition {
  atMs: number;
  state: 'closed' | 'open' | 'half-open';
}

/** Time from a stream going down to being back up (an echo or response headers on its new call). */
export interface Recoveries {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** What one worker saw of one backend (the server that answered a stream's headers). */
export interface WorkerBackend {
  /** The server's x-backend-id response header, else the peer address (host:port). */
  backend: string;
  /** Calls it answered (response headers) over the whole run, warm-up included. */
  streamsOpened: number;
  /** Echoes of measured messages. */
  received: number;
  /** Echoes inside the measured window (throughput numerator). */
  receivedInWindow: number;
  /** Failed calls by gRPC status name (a call that never got headers counts for the address it was sent to). */
  errorsByStatus: Record<string, number>;
  /** Encoded HDR histogram of its echoes' latency (µs). */
  histogram: string;
}

export interface WorkerResult {
  workerIndex: number;
  /** Per backend; absent from workers that predate per-backend figures. */
  backends?: WorkerBackend[];
  counters: Counters;
  /** Encoded HDR histogram of latency in µs (from intended send time in open loop). */
  histogram: string;
  /** Open loop only: latency from the actual send time (coordinated omission not corrected). */
  uncorrectedHistogram: string | null;
  /** Stream set-up latency (request sent → response headers), µs, of calls opened in the window. */
  setupHistogram: string;
  /** Connection set-up time (TCP + TLS handshake + HTTP/2 preface) of the worker's connections, µs. */
  connectHistogram: string;
  /** HTTP/2 DATA bytes sent and received inside the measured window; null where the engine can't see them. */
  wireBytes: WireBytes | null;
  outages: Outage[];
  recoveries: Recoveries;
  breakerTransitions: BreakerTransition[];
  /** Measured window of this worker, epoch ms. */
  windowStartMs: number;
  windowEndMs: number;
  /** Event-loop utilisation of the worker over its run (0..1). */
  eventLoopUtilization: number;
  stopReason: StopReason;
  firstError: string | null;
  /** What arrived after the last full second's tick, up to the end of the drain (observers' counters; not in the time series). */
  finalTick?: ProgressTick;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  stdev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

export interface TimeSeriesPoint {
  /** Seconds since start (end of the interval). */
  second: number;
  warmup: boolean;
  msgsPerS: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  errorsByCategory?: Record<string, number>;
  reconnects?: number;
  openStreams?: number;
  /** Open breakers (of the workers) at the end of the second. */
  breakersOpen?: number;
  /** Connections opened in that second, over all workers. */
  connectionsOpened?: number;
  /** Generator process resident set size when the second was merged, MiB (worker threads included). */
  rssMiB?: number;
  /** Heap used by the main thread's isolate at that moment, MiB. */
  heapUsedMiB?: number;
  /** Heap used by the worker threads' isolates at the end of the second, MiB (summed). */
  workerHeapUsedMiB?: number;
  /**
   * Echoes of that second by backend (x-backend-id or peer address): every backend seen so far,
   * 0 in a second it echoed nothing; absent before any backend answered. Bounded like the live
   * figures (64 entries, the rest summed under "other").
   */
  backends?: Record<string, number>;
}

/** Generator RSS over the measured window (MiB): its peak and the means of its first and last quarters. */
export interface GeneratorMemory {
  peakRssMiB: number;
  firstQuarterRssMiB: number;
  lastQuarterRssMiB: number;
  /** Peak heap used by the main thread and by the worker threads (summed), MiB; null when not sampled. */
  peakHeapUsedMiB: number | null;
  peakWorkerHeapUsedMiB: number | null;
}

export interface CpuPlacement {
  pinned: boolean;
  serverCpus: string | null;
  clientCpus: string | null;
  note: string;
}

/** One backend's share of a run (RunMetrics.backends). */
export interface BackendMetrics {
  backend: string;
  /** Calls it answered (response headers) over the whole run, warm-up included. */
  streamsOpened: number;
  /** Echoes of measured messages. */
  received: number;
  msgsPerS: number;
  latencyUs: LatencySummary;
  errorsByStatus: Record<string, number>;
}

export interface RunMetrics {
  durationS: number;
  /** Per backend, sorted by backend; absent in older files. */
  backends?: BackendMetrics[];
  counters: Counters;
  msgsPerS: number;
  /** Payload (RouteNote.message) MiB/s, client → server. */
  mibPerSSent: number;
  /** Payload MiB/s, server → client. */
  mibPerSReceived: number;
  /** HTTP/2 DATA on the wire (gRPC framing, after compression); null for engines that can't see it. */
  wire: { bytesSent: number; bytesReceived: number; mibPerSSent: number; mibPerSReceived: number } | null;
  /** The payloads: requested compressibility and the gzip savings measured on a sample of them, %. */
  payload: { compressibility: number; gzipSavingsPct: number };
  /** RouteChat calls opened per second of the measured window. */
  streamsOpenedPerS: number;
  latencyUs: LatencySummary;
  latencyUncorrectedUs: LatencySummary | null;
  /** Stream set-up latency (request sent → response headers received), µs. */
  setupLatencyUs: LatencySummary;
  /** Connection set-up: TCP + TLS handshake + HTTP/2 preface (h2 engine), time to READY (grpc-js), µs. */
  connectLatencyUs: LatencySummary;
  errorsTotal: number;
  generator: {
    cpuUs: number;
    cpuUsPerMsg: number | null;
    /** Generator CPU time / (wall time × client CPUs). */
    cpuUtilization: number | null;
    workerEventLoopUtilization: number[];
    /** Generator resident set size over the measured window, MiB (from the time series); absent in older files. */
    memory?: GeneratorMemory | null;
  };
  server: { cpuUs: number; cpuUsPerMsg: number | null } | null;
  /** Outages and recovery (with --reconnect; empty otherwise). */
  resilience?: {
    outages: Outage[];
    longestOutageS: number;
    meanRecoveryS: number | null;
    reconnects: number;
    lost: number;
    breakerTransitions: BreakerTransition[];
  };
}

/** One measured run: the unit a results file, a sweep repetition and a comparison are made of. */
export interface RunRecord {
  config: RunConfig;
  placement: CpuPlacement;
  stop: { reason: StopReason; detail: string | null };
  startedAt: string;
  metrics: RunMetrics;
  warnings: string[];
  histograms: {
    latencyUs: string;
    latencyUncorrectedUs: string | null;
    setupUs: string;
    connectUs: string;
    /** Latency per backend (encoded HDR, µs), keyed like metrics.backends; absent in older files. */
    backendsUs?: Record<string, string>;
  };
  timeSeries: TimeSeriesPoint[];
  /** Epoch ms of second 0 of the time series (outages are placed on the charts with it). */
  timeSeriesStartMs?: number | null;
  /** Set on a run merged from shard files by `merge`: where its parts came from. */
  merged?: MergeInfo;
  /** This process's part of a sharded run (`--shard K/N`); null for a whole run (absent in older files). */
  shard?: ShardInfo | null;
}

/** Which part of a run one shard drove, and when it started (`run --shard K/N --run-id ID --start-at TIME`). */
export interface ShardInfo {
  /** K, 1-based. */
  index: number;
  /** N. */
  count: number;
  runId: string;
  /** os.hostname() of the shard. */
  host: string;
  /** --start-at (or the sweep slot's start) as epoch ms; null without --start-at. */
  plannedStartMs: number | null;
  /** Epoch ms the workers actually started (second 0 of the warm-up). */
  actualStartMs: number;
  /** The kernel clock source and NTP sync state when known (e.g. "tsc; NTP synchronized"); null if unknown. */
  clockSource: string | null;
  /** Global stream index range of this shard. */
  streams: { first: number; count: number };
  /** The workers were ready only after the planned start (or, in a sweep, the previous repetition ran over): started at once. */
  late?: boolean;
  /** By how much the actual start missed the planned start, ms (0 when on time). */
  lateByMs?: number;
}

/** One shard's part of a merged run: its shard stamp and its own figures. */
export interface MergedShard extends Omit<ShardInfo, 'late' | 'lateByMs'> {
  /** The file it came from. */
  source: string;
  /** Its measured window, epoch ms. */
  windowStartMs: number;
  windowEndMs: number;
  stopReason: StopReason;
  sent: number;
  received: number;
  receivedInWindow: number;
  msgsPerS: number;
  errorsTotal: number;
  latencyP99Us: number;
  generatorCpuUs: number;
  generatorCpuUsPerMsg: number | null;
  generatorCpuUtilization: number | null;
  serverCpuUs: number | null;
}

/** How a merged run was put together (see `merge`). */
export interface MergeInfo {
  runId: string;
  /** Shards the run was split into (N). */
  count: number;
  /** The shards merged, by index. */
  shards: MergedShard[];
  /** 1-based indexes of the shards that were not given (merged with --allow-missing). */
  missing: number[];
  partial: boolean;
  /** Largest difference between the shards' actual start times, ms. */
  maxStartSkewMs: number;
}

/** How a merged sweep was put together: its shards, and the repetitions that could not be merged. */
export interface SweepMergeInfo {
  runId: string;
  count: number;
  shards: { index: number; host: string; source: string }[];
  missing: number[];
  partial: boolean;
  /** Largest start skew of any merged repetition, ms. */
  maxStartSkewMs: number;
  /** Repetitions missing, errored or late on a shard (left unmerged, status "errored"), and other notes. */
  warnings: string[];
}

export interface Environment {
  harnessVersion: string;
  node: string;
  grpcJs: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  gitCommit: string | null;
}

export const RESULTS_SCHEMA = 'grpc-stream-bench/results' as const;
export const RESULTS_SCHEMA_VERSION = 1 as const;

export interface RunResultsFile {
  schema: typeof RESULTS_SCHEMA;
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  kind: 'run';
  createdAt: string;
  environment: Environment;
  run: RunRecord;
}

/* ---- Sweeps (one file holds every repetition of every cell) ---- */

/** Value of one sweep axis in one cell (a run setting such as size, compression, window). */
export type AxisValue = string | number | null;

export interface SweepCell {
  /** Stable id derived from the axis values, e.g. "compression=gzip,size=1024,window=65535". */
  id: string;
  axes: Record<string, AxisValue>;
  /** The resolved run settings of this cell (fixed settings + axis values). */
  config: RunConfig;
}

export interface SweepRepetition {
  cellId: string;
  /** 0-based repetition index within the cell. */
  repetition: number;
  /** Position in the shuffled execution order. */
  order: number;
  status: 'completed' | 'errored';
  run: RunRecord | null;
  error: string | null;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export interface CellAggregate {
  cellId: string;
  repetitions: number;
  msgsPerS: Spread;
  /** Percentiles of all completed repetitions' histograms merged. */
  latencyUs: LatencySummary;
  /** Encoded merged histogram (µs). */
  histogram: string;
  errorsTotal: number;
}

export interface SweepResultsFile {
  schema: typeof RESULTS_SCHEMA;
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  kind: 'sweep';
  createdAt: string;
  environment: Environment;
  profile: { name: string; source: string | null; definition: unknown };
  seed: number;
  repeat: number;
  interrupted: boolean;
  cells: SweepCell[];
  repetitions: SweepRepetition[];
  aggregates: CellAggregate[];
  /** Set on a sweep merged from shard files by `merge`. */
  merged?: SweepMergeInfo;
  /** This process's part of a sharded sweep; plannedStartMs is the sweep's --start-at (absent in older files). */
  shard?: ShardInfo | null;
}

export type ResultsFile = RunResultsFile | SweepResultsFile;

/* ---- Sweep profiles and progress (sweep feature) ---- */

/** One sweep axis: a run setting and the values it takes, resolved (bytes as integers). */
export interface SweepAxis {
  /** Run setting name as in a profile: compression, size, window, streams, inFlight … */
  name: string;
  values: AxisValue[];
}

/** A validated profile: fixed settings and axes expanded into cells, each with its RunConfig. */
export interface ResolvedProfile {
  name: string;
  /** Absolute path of the profile file; null when the definition came from elsewhere (a results file). */
  source: string | null;
  description: string;
  repeat: number;
  /** The profile document as written (embedded in the results file, used by --resume). */
  definition: unknown;
  axes: SweepAxis[];
  /** Every combination of the axis values, first axis varying slowest. */
  cells: SweepCell[];
}

/** Live state of a sweep, reported before and after every repetition. */
export interface SweepProgress {
  phase: 'repetition-start' | 'repetition-end';
  /** 1-based index of the current cell in the profile's cell list, and the cell count. */
  cellIndex: number;
  cellCount: number;
  cellId: string;
  /** 0-based repetition index of the current cell, and repetitions per cell. */
  repetition: number;
  repeat: number;
  /** Repetitions finished (completed or errored, including those kept from a resumed file) and in total. */
  done: number;
  total: number;
  elapsedS: number;
  /** Estimated seconds left, from the plan's per-repetition cost. */
  etaS: number;
}
