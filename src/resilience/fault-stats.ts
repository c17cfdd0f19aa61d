/**
 * What the echo server's fault injection did: counters kept while serving, the `--stats` JSON
 * document made from them at shutdown, and the one stderr line that sums them up.
 */
import type { FaultOptions } from './fault-options.js';

export const FAULT_STATS_SCHEMA = 'grpc-stream-bench/fault-stats' as const;
export const FAULT_STATS_SCHEMA_VERSION = 1 as const;

/** Mutable counters; only the fault injector writes them. */
export interface FaultCounters {
  /** RouteChat streams that reached the handler (auth-refused ones never do). */
  streams: number;
  /** Rejected streams by "STATUS REASON". */
  rejected: Map<string, number>;
  aborted: number;
  notesDropped: number;
  stalls: number;
  stalledMs: number;
  connections: number;
  connectionsAgedOut: number;
}

export function createFaultCounters(): FaultCounters {
  return { streams: 0, rejected: new Map(), aborted: 0, notesDropped: 0, stalls: 0, stalledMs: 0, connections: 0, connectionsAgedOut: 0 };
}

export interface RejectedCount {
  status: string;
  reason: string;
  count: number;
}

/** The `--stats` file. */
export interface FaultStats {
  schema: typeof FAULT_STATS_SCHEMA;
  schemaVersion: typeof FAULT_STATS_SCHEMA_VERSION;
  /** The resolved fault settings, seed included. */
  faults: FaultOptions;
  uptimeMs: number;
  streams: { total: number; accepted: number; rejected: number; rejectedBy: RejectedCount[]; aborted: number };
  notes: { dropped: number };
  stalls: { count: number; totalMs: number };
  connections: { opened: number; agedOut: number };
}

/** The key of a rejection in `FaultCounters.rejected`. */
export function rejectionKey(status: string, reason: string): string {
  return `${status} ${reason}`;
}

export function snapshotFaultStats(counters: FaultCounters, faults: FaultOptions, uptimeMs: number): FaultStats {
  const rejectedBy = [...counters.rejected]
    .map(([key, count]): RejectedCount => {
      const space = key.indexOf(' ');
      return { status: key.slice(0, space), reason: key.slice(space + 1), count };
    })
    .sort((a, b) => b.count - a.count || a.status.localeCompare(b.status) || a.reason.localeCompare(b.reason));
  const rejected = rejectedBy.reduce((sum, r) => sum + r.count, 0);
  return {
    schema: FAULT_STATS_SCHEMA,
    schemaVersion: FAULT_STATS_SCHEMA_VERSION,
    faults,
    uptimeMs: Math.round(uptimeMs),
    streams: { total: counters.streams, accepted: counters.streams - rejected, rejected, rejectedBy, aborted: counters.aborted },
    notes: { dropped: counters.notesDropped },
    stalls: { count: counters.stalls, totalMs: Math.round(counters.stalledMs) },
    connections: { opened: counters.connections, agedOut: counters.connectionsAgedOut },
  };
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * One line, e.g. `faults: 2000 streams, 203 rejected (UNAVAILABLE INJECTED_FAULT ×203), 0 aborted,
 * 12 notes dropped, 3 stalls (1500 ms), 4 connections aged out`.
 */
export function renderFaultSummary(stats: FaultStats): string {
  const { streams } = stats;
  const by = streams.rejectedBy.length === 0 ? '' : ` (${streams.rejectedBy.map((r) => `${r.status} ${r.reason} ×${r.count}`).join(', ')})`;
  return [
    `faults: ${plural(streams.total, 'stream', 'streams')}`,
    `${streams.rejected} rejected${by}`,
    `${streams.aborted} aborted`,
    `${plural(stats.notes.dropped, 'note', 'notes')} dropped`,
    `${plural(stats.stalls.count, 'stall', 'stalls')} (${stats.stalls.totalMs} ms)`,
    `${plural(stats.connections.agedOut, 'connection', 'connections')} aged out`,
  ].join(', ');
}
