/**
 * Synthetic results files for unit tests, made from real encoded histograms: every figure in
 * them is computed by src/stats from values the test chooses.
 */
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { createLatencyHistogram, encodeHistogram, initHistograms, mergeEncodedToEncoded, recordLatency, summarize, summarizeEncoded } from '../../src/stats/histogram.js';
import { median } from '../../src/stats/spread.js';
import { seededRandom } from '../../src/stats/seeded-random.js';
import { emptyCounters } from '../../src/stats/aggregate.js';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type AxisValue,
  type Environment,
  type RunConfig,
  type RunRecord,
  type RunResultsFile,
  type SweepResultsFile,
} from '../../src/types.js';

export { initHistograms };

export const ENVIRONMENT: Environment = {
  harnessVersion: '0.1.0',
  node: 'v20.20.2',
  grpcJs: '1.14.7',
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'Synthetic CPU',
  cpuCount: 2,
  totalMemoryBytes: 24 * 1024 ** 3,
  gitCommit: 'abc123',
};

/** An encoded HDR latency histogram holding exactly these values (µs). */
export function encodeValues(values: Iterable<number>): string {
  const h = createLatencyHistogram();
  try {
    for (const v of values) recordLatency(h, v);
    return encodeHistogram(h);
  } finally {
    h.destroy();
  }
}

export function baseConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const config = resolveRunConfig({ duration: 1, warmup: 0.5, serverCpus: 'none', clientCpus: 'none' }, { cpuCount: 2, platform: 'linux' });
  return { ...config, ...overrides };
}

export interface SyntheticRunOptions {
  msgsPerS: number;
  /** Typical latency in µs; samples spread around it with a tail. */
  latencyUs: number;
  config?: Partial<RunConfig>;
  seed?: number;
  samples?: number;
  errors?: number;
  seconds?: number;
}

/** One RunRecord whose histogram holds `samples` latencies around latencyUs (seeded). */
export function syntheticRun(o: SyntheticRunOptions): RunRecord {
  const config = baseConfig(o.config);
  const random = seededRandom(o.seed ?? 1);
  const histogram = createLatencyHistogram();
  const seconds = o.seconds ?? 3;
  const perSecond: string[] = [];
  const samples = o.samples ?? 3000;
  try {
    for (let s = 0; s < seconds; s++) {
      const tick = createLatencyHistogram();
      for (let i = 0; i < samples / seconds; i++) {
        // A continuous long-tailed distribution: median ≈ 1.0×, p99 ≈ 4×, p99.9 ≈ 9× latencyUs.
        const value = o.latencyUs * 0.8 * (1 - random()) ** -0.35;
        recordLatency(histogram, value);
        recordLatency(tick, value);
      }
      perSecond.push(encodeHistogram(tick));
      tick.destroy();
    }
    const latencyUs = summarize(histogram);
    const counters = { ...emptyCounters(), sent: latencyUs.count, received: latencyUs.count, receivedInWindow: latencyUs.count, receivedTotal: latencyUs.count };
    const errors = o.errors ?? 0;
    counters.unanswered = errors;
    return {
      config,
      placement: { pinned: false, serverCpus: null, clientCpus: null, note: 'synthetic' },
      stop: { reason: 'duration', detail: null },
      startedAt: '2026-01-01T00:00:00.000Z',
      metrics: {
        durationS: seconds,
        counters,
        msgsPerS: o.msgsPerS,
        mibPerSSent: (o.msgsPerS * config.size) / 1024 / 1024,
        mibPerSReceived: (o.msgsPerS * (config.size + 18)) / 1024 / 1024,
        latencyUs,
        latencyUncorrectedUs: null,
        errorsTotal: errors,
        generator: { cpuUs: 0, cpuUsPerMsg: null, cpuUtilization: null, workerEventLoopUtilization: [0.5] },
        server: null,
      },
      warnings: [],
      histograms: { latencyUs: encodeHistogram(histogram), latencyUncorrectedUs: null },
      timeSeries: perSecond.map((encoded, i) => {
        const summary = summarizeEncoded([encoded]);
        return { second: i + 1, warmup: i === 0, msgsPerS: Math.round(o.msgsPerS * (0.95 + random() * 0.1)), p50Us: summary.p50, p99Us: summary.p99, errors: 0 };
      }),
    };
  } finally {
    histogram.destroy();
  }
}

export function runFile(run: RunRecord, createdAt = '2026-01-01T00:00:00.000Z'): RunResultsFile {
  return { schema: RESULTS_SCHEMA, schemaVersion: RESULTS_SCHEMA_VERSION, kind: 'run', createdAt, environment: ENVIRONMENT, run };
}

export interface SyntheticCell {
  axes: Record<string, AxisValue>;
  config?: Partial<RunConfig>;
  /** One entry per repetition. */
  repetitions: Omit<SyntheticRunOptions, 'config'>[];
}

function spread(values: readonly number[]): { median: number; min: number; max: number; q1: number; q3: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.round((sorted.length - 1) * p)] as number;
  return { median: median(values), min: sorted[0] as number, max: sorted[sorted.length - 1] as number, q1: q(0.25), q3: q(0.75) };
}

/** A sweep file with the given cells; cell ids from the axes, like the sweep's. */
export function sweepFile(cells: readonly SyntheticCell[], name = 'synthetic'): SweepResultsFile {
  const built = cells.map((c) => {
    const id = Object.entries(c.axes)
      .map(([k, v]) => `${k}=${v === null ? 'default' : String(v)}`)
      .join(',') || 'cell';
    const config = baseConfig(c.config);
    const runs = c.repetitions.map((r, i) => syntheticRun({ seed: i + 1, ...r, config }));
    return { id, axes: c.axes, config, runs };
  });
  let order = 0;
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    kind: 'sweep',
    createdAt: '2026-01-01T00:00:00.000Z',
    environment: ENVIRONMENT,
    profile: { name, source: null, definition: { description: 'synthetic', axes: Object.fromEntries(Object.keys(cells[0]?.axes ?? {}).map((k) => [k, []])) } },
    seed: 7,
    repeat: Math.max(...cells.map((c) => c.repetitions.length)),
    interrupted: false,
    cells: built.map((b) => ({ id: b.id, axes: b.axes, config: b.config })),
    repetitions: built.flatMap((b) => b.runs.map((run, repetition) => ({ cellId: b.id, repetition, order: order++, status: 'completed' as const, run, error: null }))),
    aggregates: built.map((b) => {
      const histogram = mergeEncodedToEncoded(b.runs.map((r) => r.histograms.latencyUs));
      return {
        cellId: b.id,
        repetitions: b.runs.length,
        msgsPerS: spread(b.runs.map((r) => r.metrics.msgsPerS)),
        latencyUs: summarizeEncoded([histogram]),
        histogram,
        errorsTotal: b.runs.reduce((s, r) => s + r.metrics.errorsTotal, 0),
      };
    }),
  };
}

/** A one-cell sweep whose repetitions have these throughputs and latencies. */
export function repetitionsFile(reps: readonly { msgsPerS: number; latencyUs: number }[], config: Partial<RunConfig> = {}): SweepResultsFile {
  return sweepFile([{ axes: {}, config, repetitions: reps.map((r, i) => ({ ...r, seed: 100 + i })) }]);
}
