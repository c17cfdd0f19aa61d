import type { RunConfig } from '../types.js';

/*
 * Cost model of a sweep, calibrated on the 2-core reference machine (see README, "Sweeps"):
 * a repetition costs its warm-up + duration + REPETITION_OVERHEAD_S (worker-thread pool,
 * connections, preflight, drain, aggregation); starting an embedded server costs
 * SERVER_START_S (a child Node process loading grpc-js).
 */
export const REPETITION_OVERHEAD_S = 0.3;
export const SERVER_START_S = 0.45;

/** Embedded servers kept alive at once, one per distinct server-side setting (least recently used one stopped beyond this). */
export const MAX_LIVE_SERVERS = 8;

/**
 * The server-side settings of a run: runs with equal keys can share one embedded server.
 * Null when the run drives an external --target (nothing to start).
 */
export function serverKeyOf(config: RunConfig): string | null {
  if (config.target !== null) return null;
  return `window=${config.window ?? 'default'},maxMessageSize=${config.maxMessageSize},cpus=${config.serverCpus ?? 'any'},security=${config.security},instances=${config.instances ?? 1}`;
}

/**
 * Replays a sequence of server keys through a least-recently-used set of at most `capacity`
 * live servers: `starts[i]` says whether step i starts a server, `evicts[i]` which key it stops.
 */
export function planServers(keys: readonly (string | null)[], capacity = MAX_LIVE_SERVERS): { starts: boolean[]; evicts: (string | null)[] } {
  const live: string[] = [];
  const starts: boolean[] = [];
  const evicts: (string | null)[] = [];
  for (const key of keys) {
    if (key === null) {
      starts.push(false);
      evicts.push(null);
      continue;
    }
    const at = live.indexOf(key);
    if (at >= 0) {
      live.splice(at, 1);
      live.push(key);
      starts.push(false);
      evicts.push(null);
      continue;
    }
    const evicted = live.length >= capacity ? (live.shift() ?? null) : null;
    live.push(key);
    starts.push(true);
    evicts.push(evicted);
  }
  return { starts, evicts };
}

/** Estimated seconds of one repetition (without any server start). */
export function repetitionSeconds(config: RunConfig): number {
  return config.warmupS + (config.durationS ?? 0) + REPETITION_OVERHEAD_S;
}

export interface SweepEstimate {
  repetitions: number;
  serverStarts: number;
  /** Seconds of load (warm-up + measured), without overheads. */
  loadSeconds: number;
  seconds: number;
}

/** Estimated cost of running `configs` in this order. */
export function estimateSweep(configs: readonly RunConfig[]): SweepEstimate {
  const { starts } = planServers(configs.map(serverKeyOf));
  const serverStarts = starts.filter(Boolean).length;
  const loadSeconds = configs.reduce((sum, c) => sum + c.warmupS + (c.durationS ?? 0), 0);
  const seconds = configs.reduce((sum, c) => sum + repetitionSeconds(c), 0) + serverStarts * SERVER_START_S;
  return { repetitions: configs.length, serverStarts, loadSeconds, seconds };
}
