/**
 * Shard results files for merge tests, built from latencies the test chooses: every histogram
 * is a real encoded HDR histogram, every count follows from the values.
 */
import { emptyCounters } from '../../src/stats/aggregate.js';
import { buildRunMetrics } from '../../src/stats/run-metrics.js';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type RunConfig, type RunRecord, type RunResultsFile, type ShardInfo, type SweepResultsFile } from '../../src/types.js';
import { baseConfig, encodeValues, ENVIRONMENT, runFile } from './synthetic-results.js';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');

export interface ShardRunOptions {
  index: number;
  count: number;
  runId?: string;
  /** Latencies (µs) of the measured echoes. */
  values: readonly number[];
  /** Epoch ms the shard started (second 0), default T0. */
  startMs?: number;
  config?: Partial<RunConfig>;
  durationS?: number;
  cpuUs?: number;
  errorsByStatus?: Record<string, number>;
  /** Extra counters (a later version's), merged generically. */
  extraCounters?: Record<string, number>;
  warnings?: string[];
  backends?: { backend: string; values: readonly number[] }[];
  late?: boolean;
  lateByMs?: number;
}

export const SHARD_CONFIG: Partial<RunConfig> = { target: '10.0.0.1:50051', streams: 6, connections: 3, workers: 1, warmupS: 1, durationS: 2 };

export function shardStamp(o: Pick<ShardRunOptions, 'index' | 'count' | 'runId' | 'startMs' | 'late' | 'lateByMs'>, streams = 6): ShardInfo {
  const per = Math.floor(streams / o.count);
  return {
    index: o.index,
    count: o.count,
    runId: o.runId ?? 'run-42',
    host: `host-${o.index}`,
    plannedStartMs: T0,
    actualStartMs: o.startMs ?? T0,
    clockSource: 'synthetic',
    streams: { first: (o.index - 1) * per, count: per },
    late: o.late ?? false,
    lateByMs: o.lateByMs ?? 0,
  };
}

/** One shard's RunRecord. */
export function shardRun(o: ShardRunOptions): RunRecord {
  const config = baseConfig({ ...SHARD_CONFIG, ...o.config });
  const durationS = o.durationS ?? config.durationS ?? 2;
  const startMs = o.startMs ?? T0;
  const n = o.values.length;
  const counters = { ...emptyCounters(), sent: n, received: n, receivedInWindow: n, receivedTotal: n + 10, bytesSent: n * config.size, bytesReceived: n * (config.size + 17), streamsOpened: 2, errorsByStatus: { ...(o.errorsByStatus ?? {}) }, ...(o.extraCounters ?? {}) };
  const histograms = { latencyUs: encodeValues(o.values), latencyUncorrectedUs: null, setupUs: encodeValues([100, 200]), connectUs: encodeValues([500]) };
  const windowStartMs = startMs + config.warmupS * 1000;
  const metrics = buildRunMetrics({
    counters,
    histograms,
    wireBytes: { sent: n * (config.size + 5), received: n * (config.size + 22) },
    windowStartMs,
    windowEndMs: windowStartMs + durationS * 1000,
    payload: { compressibility: config.compressibility, gzipSavingsPct: 50 },
    generator: { cpuUs: o.cpuUs ?? 1000 * o.index, cpuUtilization: o.index / 10, workerEventLoopUtilization: [o.index / 5] },
    serverCpuUs: null,
    resilience: undefined,
  });
  const run: RunRecord = {
    config,
    placement: { pinned: true, serverCpus: null, clientCpus: '1', note: `generator on CPUs 1 (host-${o.index})` },
    stop: { reason: 'duration', detail: null },
    startedAt: new Date(startMs).toISOString(),
    metrics,
    warnings: o.warnings ?? [],
    histograms: { ...histograms },
    timeSeries: [1, 2, 3].map((second) => ({ second, warmup: second === 1, msgsPerS: 100 * o.index, p50Us: 10 * o.index, p99Us: 20 * o.index, errors: o.index, errorsByCategory: { transport: 1 } })),
    timeSeriesStartMs: startMs,
    shard: shardStamp(o, config.streams),
  };
  if (o.backends !== undefined) {
    Object.assign(run.metrics, {
      backends: o.backends.map((b) => ({ backend: b.backend, streamsOpened: 1, received: b.values.length, msgsPerS: b.values.length / durationS, latencyUs: metrics.latencyUs, errorsByStatus: { UNAVAILABLE: 1 } })),
    });
    Object.assign(run.histograms, { backendsUs: Object.fromEntries(o.backends.map((b) => [b.backend, encodeValues(b.values)])) });
  }
  return run;
}

export function shardRunFile(o: ShardRunOptions): RunResultsFile {
  return runFile(shardRun(o), new Date(T0).toISOString());
}

/** A shard's sweep file: one cell per size, `repeat` repetitions; `skip` leaves repetitions out, `late` marks them late. */
export function shardSweepFile(o: {
  index: number;
  count: number;
  sizes: number[];
  repeat: number;
  values: (cell: number, repetition: number) => number[];
  skip?: string[];
  late?: string[];
}): SweepResultsFile {
  const cells = o.sizes.map((size) => ({ id: `size=${size}`, axes: { size }, config: baseConfig({ ...SHARD_CONFIG, size }) }));
  let order = 0;
  const repetitions = cells.flatMap((cell, c) =>
    Array.from({ length: o.repeat }, (_, repetition) => {
      const key = `${cell.id}#${repetition}`;
      const startMs = T0 + order * 5000;
      const run = shardRun({ index: o.index, count: o.count, values: o.values(c, repetition), config: cell.config, startMs, late: o.late?.includes(key), lateByMs: o.late?.includes(key) ? 800 : 0 });
      return { cellId: cell.id, repetition, order: order++, status: 'completed' as const, run, error: null, key };
    }),
  )
    .filter((r) => !(o.skip ?? []).includes(r.key))
    .map(({ key: _key, ...r }) => r);
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    kind: 'sweep',
    createdAt: new Date(T0).toISOString(),
    environment: ENVIRONMENT,
    profile: { name: 'sizes', source: null, definition: { axes: { size: o.sizes } } },
    seed: 1,
    repeat: o.repeat,
    interrupted: false,
    cells,
    repetitions,
    aggregates: [],
    shard: { ...shardStamp({ index: o.index, count: o.count }), actualStartMs: T0 },
  };
}
