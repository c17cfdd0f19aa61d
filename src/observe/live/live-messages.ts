/**
 * The live page's protocol, in one place: what `/events` (Server-Sent Events) and `/state` carry.
 * Every SSE message is `event: <type>` + `data: <one line of JSON>`; the first message on every
 * connection is a `snapshot`, so a browser that joins late (or reconnects) starts from the
 * current state. After that, about one small message per second.
 */
import type { LiveProgress } from '../../load/run-load.js';
import type { RunConfig, SweepProgress } from '../../types.js';

export type LiveKind = 'run' | 'sweep';

/** Where the run is: no load yet, load going, measured, failed (no result), all done. */
export type LivePhase = 'waiting' | 'running' | 'measured' | 'failed' | 'finished';

/**
 * One second of load, over all workers: LiveProgress without its histogram and memory, with
 * `received` as msgsPerS.
 */
export type LiveSecond = Pick<LiveProgress, 'second' | 'errors' | 'errorsByCategory' | 'latencyUs' | 'reconnects' | 'openStreams' | 'breakersOpen' | 'generatorCpu' | 'workerEventLoopUtilization' | 'sendLagMs'> & {
  msgsPerS: number;
  /**
   * Echoes of that second per backend, sorted by backend (at most 64; beyond, "other" sums the
   * rest). Only the newest second carries it: the history drops it from older seconds.
   */
  backends?: LiveBackendSecond[];
};

/** One backend's echoes in one second. */
export type LiveBackendSecond = LiveProgress['backends'][number];

/** Sums since the current run started (kept by the server, so they survive the history cap). */
export interface LiveTotals {
  seconds: number;
  received: number;
  errors: number;
  errorsByCategory: Record<string, number>;
  reconnects: number;
}

/** The settings of the current run that the page shows (target null: the embedded echo server). */
export type LiveRunConfig = Required<
  Pick<RunConfig, 'target' | 'lb' | 'engine' | 'security' | 'workers' | 'connections' | 'streams' | 'inFlight' | 'rate' | 'size' | 'compression' | 'window' | 'messagesPerStream' | 'warmupS' | 'durationS' | 'messages'>
>;

export interface LiveRunInfo {
  /** The sweep cell, or null for a plain run. */
  cellId: string | null;
  repetition: number | null;
  /** Epoch ms when the page heard of the start. */
  startedAtMs: number;
  config: LiveRunConfig;
}

/** An outage, in seconds of the run's time series (null when the series has no start time). */
export interface LiveOutage {
  fromS: number | null;
  toS: number | null;
  durationS: number;
  ongoing: boolean;
  streams: number;
  reconnects: number;
  lost: number;
  delayed: number | null;
}

/** The figures of a finished run (or sweep repetition), from its RunRecord. */
export interface LiveRunResult {
  stopReason: string;
  stopDetail: string | null;
  durationS: number;
  msgsPerS: number;
  latencyUs: LiveProgress['latencyUs'];
  sent: number;
  received: number;
  errorsTotal: number;
  errorsByCategory: Record<string, number>;
  /** Open loop only: mean lag of the sends the generator paced itself, and the sends it could not. */
  sendLag: { meanMs: number | null; lateSends: number; heldBackSends: number; unsent: number } | null;
  /** With --reconnect (metrics.resilience); null otherwise. */
  resilience: { longestOutageS: number; meanRecoveryS: number | null; reconnects: number; lost: number; breakerTransitions: number } | null;
  outages: LiveOutage[];
  warnings: string[];
}

/** One sweep cell as the page's size × window tables show it. */
export interface LiveSweepCell {
  cellId: string;
  /** The table it belongs to: "compression=gzip" (plus any axis other than size and window). */
  group: string;
  size: number | null;
  window: number | null;
  compression: string | null;
  /** Finished repetitions, in the order they finished. */
  reps: { repetition: number; msgsPerS: number | null; p99Us: number | null }[];
}

export interface LiveSweep {
  progress: SweepProgress | null;
  /** Cells seen so far (started or finished), in the order first seen. */
  cells: LiveSweepCell[];
}

/** Everything the page shows; sent first on every connection and served at /state. */
export interface LiveSnapshot {
  kind: LiveKind;
  phase: LivePhase;
  run: LiveRunInfo | null;
  /** The current run's seconds, the most recent MAX_LIVE_SECONDS of them. */
  seconds: LiveSecond[];
  totals: LiveTotals;
  /** The last finished run's figures (for a sweep: the last repetition's). */
  result: LiveRunResult | null;
  sweep: LiveSweep | null;
  /** Set by finished(): where the results were written (null: nothing written). */
  resultsPath: string | null;
}

/** The SSE messages, by event name. */
export interface LiveEventData {
  snapshot: LiveSnapshot;
  'run-started': LiveRunInfo;
  second: LiveSecond & { totals: LiveTotals };
  'run-finished': { result: LiveRunResult | null };
  sweep: { progress: SweepProgress; cell: LiveSweepCell | null };
  finished: { resultsPath: string | null };
  /** The server is closing: the page keeps what it shows and stops reconnecting. */
  end: { reason: 'closed' };
}

export type LiveEventType = keyof LiveEventData;

export type LiveEvent = { [K in LiveEventType]: { type: K; data: LiveEventData[K] } }[LiveEventType];

/** History kept for the charts (and sent to a late browser): one hour of seconds. */
export const MAX_LIVE_SECONDS = 3600;
