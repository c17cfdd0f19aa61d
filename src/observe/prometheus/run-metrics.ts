/**
 * The generator's Prometheus metrics: a RunObserver that turns the per-second progress of runs
 * (and sweep repetitions) into a prom-client registry. No I/O here; `exporter.ts` serves it.
 *
 * Every series carries the labels engine, target ("embedded" for the embedded server),
 * compression, size (bytes) and cell (the sweep cell id, "" for a plain run). One label set is
 * kept per distinct run setting: a plain run has one, a sweep one per cell. At most
 * MAX_LABEL_SETS are kept; beyond that the label set started longest ago is dropped (its series
 * disappear; if that cell runs again its counters start again from 0, which `rate()` reads as a
 * counter reset). Further labels take values from fixed sets: category (7 error categories),
 * status (17 gRPC status names), outcome (completed, errored); backend (the servers that
 * answered, host:port or their x-backend-id) is bounded: at most MAX_SECOND_BACKENDS named
 * backends per label set, any beyond them counted under "other".
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { ERROR_CATEGORIES } from '../../resilience/error-class.js';
import { MAX_SECOND_BACKENDS, OTHER_BACKENDS } from '../../stats/backend-seconds.js';
import { countAtOrBelow } from '../../stats/histogram.js';
import type { RunRecord, SweepProgress } from '../../types.js';
import type { LiveProgress, RunObserver, RunStart } from '../observer.js';
import { registerExactHistogram } from './exact-histogram.js';

export const METRIC_PREFIX = 'grpc_stream_bench_';

/** Upper bounds of the latency histogram, µs: 50 µs … 10 s. */
export const LATENCY_BOUNDS_US: readonly number[] = [
  50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/** How many run label sets (sweep cells) are kept at most. */
export const MAX_LABEL_SETS = 64;

export const RUN_LABEL_NAMES = ['engine', 'target', 'compression', 'size', 'cell'] as const;
export type RunLabels = Record<(typeof RUN_LABEL_NAMES)[number], string>;

/** The labels of a run. */
export function runLabels(start: RunStart): RunLabels {
  const { config } = start;
  return {
    engine: config.engine,
    target: config.target ?? 'embedded',
    compression: config.compression,
    size: String(config.size),
    cell: start.cellId ?? '',
  };
}

/** Everything counted for one label set since it first appeared. */
interface Series {
  labels: RunLabels;
  echoes: number;
  /** Echoes by backend: at most MAX_SECOND_BACKENDS named ones, and OTHER_BACKENDS for the rest. */
  backendEchoes: Map<string, number>;
  reconnects: number;
  errorsByCategory: Map<string, number>;
  failedStreamsByStatus: Map<string, number>;
  callsOpened: number;
  runsCompleted: number;
  runsErrored: number;
  latency: { atOrBelow: number[]; total: number; sumUs: number };
}

interface CurrentRun {
  series: Series;
  /** The last second of load; null before the first and after the run finished. */
  last: LiveProgress | null;
}

export interface RunMetrics extends RunObserver {
  readonly registry: Registry;
}

export interface RunMetricsOptions {
  maxLabelSets?: number;
}

/** A RunObserver that keeps the Prometheus metrics of the runs it is told about. */
export function createRunMetrics(options: RunMetricsOptions = {}): RunMetrics {
  const maxLabelSets = options.maxLabelSets ?? MAX_LABEL_SETS;
  const registry = new Registry();
  const seriesByKey = new Map<string, Series>();
  let current: CurrentRun | null = null;
  let sweep: SweepProgress | null = null;

  const seriesFor = (labels: RunLabels): Series => {
    const key = JSON.stringify(RUN_LABEL_NAMES.map((name) => labels[name]));
    let series = seriesByKey.get(key);
    if (series === undefined) {
      series = {
        labels,
        echoes: 0,
        backendEchoes: new Map(),
        reconnects: 0,
        errorsByCategory: new Map(ERROR_CATEGORIES.map((c) => [c, 0])),
        failedStreamsByStatus: new Map(),
        callsOpened: 0,
        runsCompleted: 0,
        runsErrored: 0,
        latency: { atOrBelow: LATENCY_BOUNDS_US.map(() => 0), total: 0, sumUs: 0 },
      };
    }
    // Most recently started last: the Map's order is the eviction order.
    seriesByKey.delete(key);
    seriesByKey.set(key, series);
    for (const [oldKey, old] of seriesByKey) {
      if (seriesByKey.size <= maxLabelSets) break;
      if (old !== series) seriesByKey.delete(oldKey);
    }
    return series;
  };
  /** Events that come without runStarted are kept under empty labels rather than lost. */
  const currentSeries = (): Series => current?.series ?? seriesFor({ engine: '', target: '', compression: '', size: '', cell: '' });

  const labelNames = [...RUN_LABEL_NAMES];
  const name = (suffix: string): string => `${METRIC_PREFIX}${suffix}`;
  const registers = [registry];
  const allSeries = (): Series[] => [...seriesByKey.values()];

  new Counter({
    name: name('messages_echoed_total'),
    help: 'Echoes received, as they arrive (warm-up included).',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) this.inc(s.labels, s.echoes);
    },
  });
  new Counter({
    name: name('backend_messages_echoed_total'),
    help: `Echoes received per backend (the server that answered the call: its x-backend-id header, else its address), warm-up included; at most ${MAX_SECOND_BACKENDS} backends per label set, any more as backend="${OTHER_BACKENDS}".`,
    labelNames: [...labelNames, 'backend'],
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) for (const [backend, n] of s.backendEchoes) this.inc({ ...s.labels, backend }, n);
    },
  });
  new Counter({
    name: name('errors_total'),
    help: 'Failures by category (transport, rejected, aborted, deadline, auth, protocol, harness), as they happen.',
    labelNames: [...labelNames, 'category'],
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) for (const [category, n] of s.errorsByCategory) this.inc({ ...s.labels, category }, n);
    },
  });
  new Counter({
    name: name('reconnects_total'),
    help: 'Attempts to reopen a failed stream (--reconnect).',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) this.inc(s.labels, s.reconnects);
    },
  });
  new Counter({
    name: name('failed_streams_total'),
    help: "Failed streams by gRPC status name, from each finished run's results (measured window).",
    labelNames: [...labelNames, 'status'],
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) for (const [status, n] of s.failedStreamsByStatus) this.inc({ ...s.labels, status }, n);
    },
  });
  new Counter({
    name: name('calls_opened_total'),
    help: "RouteChat calls opened, from each finished run's results (measured window).",
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) this.inc(s.labels, s.callsOpened);
    },
  });
  new Counter({
    name: name('runs_total'),
    help: 'Runs (sweep repetitions) finished: completed (measured) or errored (no result).',
    labelNames: [...labelNames, 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const s of allSeries()) {
        this.inc({ ...s.labels, outcome: 'completed' }, s.runsCompleted);
        this.inc({ ...s.labels, outcome: 'errored' }, s.runsErrored);
      }
    },
  });
  registerExactHistogram(registry, {
    name: name('latency_seconds'),
    help: 'Latency of every echo (warm-up included), counted exactly from the HDR histograms (µs resolution).',
    bounds: LATENCY_BOUNDS_US.map((us) => us / 1e6),
    series: () => allSeries().map((s) => ({ labels: s.labels, atOrBelow: s.latency.atOrBelow, total: s.latency.total, sum: s.latency.sumUs / 1e6 })),
  });

  /** A gauge of the run in progress, from its last second; absent between runs. */
  const lastSecondGauge = (suffix: string, help: string, pick: (p: LiveProgress) => number): void => {
    new Gauge({
      name: name(suffix),
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        if (current?.last) this.set(current.series.labels, pick(current.last));
      },
    });
  };
  lastSecondGauge('messages_per_second', 'Echoes received in the last second of the run in progress.', (p) => p.received);
  lastSecondGauge('open_streams', 'Streams up at the end of the last second.', (p) => p.openStreams);
  lastSecondGauge('breakers_open', 'Workers whose circuit breaker was open at the end of the last second.', (p) => p.breakersOpen);
  lastSecondGauge('generator_cpu_cores', "The generator process's CPU use over the last second, in cores (1 = one core busy).", (p) => p.generatorCpu);
  lastSecondGauge('run_elapsed_seconds', 'Seconds of load of the run in progress (warm-up included).', (p) => p.second);
  // Separate gauges, not one with a "quantile" label: that label is reserved for summaries.
  lastSecondGauge('last_second_latency_p50_seconds', 'Median latency of the echoes of the last second.', (p) => p.latencyUs.p50 / 1e6);
  lastSecondGauge('last_second_latency_p99_seconds', '99th percentile latency of the echoes of the last second.', (p) => p.latencyUs.p99 / 1e6);
  lastSecondGauge('last_second_latency_p999_seconds', '99.9th percentile latency of the echoes of the last second.', (p) => p.latencyUs.p999 / 1e6);
  lastSecondGauge('last_second_latency_max_seconds', 'Largest latency of the echoes of the last second.', (p) => p.latencyUs.max / 1e6);
  new Gauge({
    name: name('run_info'),
    help: 'The run in progress (or the last one), always 1.',
    labelNames,
    registers,
    collect() {
      this.reset();
      if (current) this.set(current.series.labels, 1);
    },
  });

  let sweepRegistered = false;
  /** Sweep gauges appear with the first sweep event: a plain run has none. */
  const registerSweepGauges = (): void => {
    if (sweepRegistered) return;
    sweepRegistered = true;
    const sweepGauge = (suffix: string, help: string, pick: (p: SweepProgress) => number): void => {
      new Gauge({
        name: name(suffix),
        help,
        registers,
        collect() {
          this.set(sweep === null ? 0 : pick(sweep));
        },
      });
    };
    sweepGauge('sweep_repetitions_done', 'Sweep repetitions finished (completed or errored, kept from a resumed file included).', (p) => p.done);
    sweepGauge('sweep_repetitions', 'Sweep repetitions planned in all.', (p) => p.total);
    sweepGauge('sweep_eta_seconds', 'Estimated seconds until the sweep is done.', (p) => p.etaS);
  };

  return {
    registry,
    runStarted: (start) => {
      current = { series: seriesFor(runLabels(start)), last: null };
    },
    second: (progress) => {
      const series = currentSeries();
      series.echoes += progress.received;
      for (const b of progress.backends) addBackendEchoes(series.backendEchoes, b.backend, b.msgsPerS);
      series.reconnects += progress.reconnects;
      for (const [category, n] of Object.entries(progress.errorsByCategory)) series.errorsByCategory.set(category, (series.errorsByCategory.get(category) ?? 0) + n);
      if (progress.histogram !== '') addLatencies(series, progress.histogram);
      // The last-second gauges keep the last whole second: a partial one is not a rate.
      if (current && !progress.partial) current.last = progress;
    },
    runFinished: (record: RunRecord | null) => {
      const series = currentSeries();
      if (record === null) series.runsErrored++;
      else {
        series.runsCompleted++;
        const { counters } = record.metrics;
        series.callsOpened += counters.streamsOpened;
        for (const [status, n] of Object.entries(counters.errorsByStatus)) series.failedStreamsByStatus.set(status, (series.failedStreamsByStatus.get(status) ?? 0) + n);
      }
      if (current) current.last = null;
    },
    sweepProgress: (progress) => {
      registerSweepGauges();
      sweep = progress;
    },
    close: async () => undefined,
  };
}

/** Adds a backend's echoes; a backend beyond the bound counts under OTHER_BACKENDS. */
function addBackendEchoes(echoes: Map<string, number>, backend: string, n: number): void {
  const named = echoes.size - (echoes.has(OTHER_BACKENDS) ? 1 : 0);
  const key = echoes.has(backend) || (backend !== OTHER_BACKENDS && named < MAX_SECOND_BACKENDS) ? backend : OTHER_BACKENDS;
  echoes.set(key, (echoes.get(key) ?? 0) + n);
}

function addLatencies(series: Series, encoded: string): void {
  const counts = countAtOrBelow(encoded, LATENCY_BOUNDS_US);
  const { latency } = series;
  counts.atOrBelow.forEach((n, i) => (latency.atOrBelow[i] = (latency.atOrBelow[i] ?? 0) + n));
  latency.total += counts.total;
  latency.sumUs += counts.sumUs;
}
