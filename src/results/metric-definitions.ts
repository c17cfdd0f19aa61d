/** The figures that compare, check and report talk about, with one name each. */
import { backendImbalancePct } from '../stats/aggregate-backends.js';
import type { RunRecord } from '../types.js';

export type MetricUnit = 'msgs/s' | 'MiB/s' | 'µs' | 'count' | '%';

export interface MetricDefinition {
  /** Name used in thresholds and JSON output. */
  name: string;
  aliases: readonly string[];
  /** Short column label. */
  label: string;
  unit: MetricUnit;
  /** Which direction is an improvement. */
  better: 'higher' | 'lower';
  /** How repetitions combine into the cell's figure. */
  combine: 'median' | 'sum' | 'max';
  /** The figure of one repetition. */
  of(run: RunRecord): number;
  /** Why a run may lack the figure (said in the "not measured" verdict). */
  whenMissing?: string;
}

export const METRICS: readonly MetricDefinition[] = [
  { name: 'msgs_per_s', aliases: ['msgs/s', 'rps'], label: 'msgs/s', unit: 'msgs/s', better: 'higher', combine: 'median', of: (r) => r.metrics.msgsPerS },
  { name: 'mib_per_s', aliases: [], label: 'MiB/s', unit: 'MiB/s', better: 'higher', combine: 'median', of: (r) => r.metrics.mibPerSReceived },
  { name: 'p50', aliases: ['median'], label: 'p50', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.latencyUs.p50 },
  { name: 'p90', aliases: [], label: 'p90', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.latencyUs.p90 },
  { name: 'p99', aliases: [], label: 'p99', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.latencyUs.p99 },
  { name: 'p99_9', aliases: ['p999', 'p99.9'], label: 'p99.9', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.latencyUs.p999 },
  { name: 'p99_99', aliases: ['p9999', 'p99.99'], label: 'p99.99', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.latencyUs.p9999 },
  { name: 'max', aliases: [], label: 'max', unit: 'µs', better: 'lower', combine: 'max', of: (r) => r.metrics.latencyUs.max },
  { name: 'errors', aliases: [], label: 'errors', unit: 'count', better: 'lower', combine: 'sum', of: (r) => r.metrics.errorsTotal },
  // Figures older files or the grpc-js engine may lack (NaN: not measured).
  { name: 'wire_bytes_per_msg', aliases: ['wire'], label: 'wire B/msg', unit: 'count', better: 'lower', combine: 'median', of: wireBytesPerMessage },
  { name: 'setup_p50', aliases: [], label: 'set-up p50', unit: 'µs', better: 'lower', combine: 'median', of: (r) => measuredSetup(r, 'p50') },
  { name: 'setup_p99', aliases: [], label: 'set-up p99', unit: 'µs', better: 'lower', combine: 'median', of: (r) => measuredSetup(r, 'p99') },
  { name: 'streams_per_s', aliases: [], label: 'calls/s', unit: 'msgs/s', better: 'higher', combine: 'median', of: (r) => r.metrics.streamsOpenedPerS ?? Number.NaN },
  { name: 'cpu_us_per_msg', aliases: ['generator_cpu'], label: 'gen CPU µs/msg', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.generator.cpuUsPerMsg ?? Number.NaN },
  { name: 'server_cpu_us_per_msg', aliases: ['server_cpu'], label: 'server CPU µs/msg', unit: 'µs', better: 'lower', combine: 'median', of: (r) => r.metrics.server?.cpuUsPerMsg ?? Number.NaN },
  // Durations in µs like the latencies, so thresholds take units: "outage_s < 2s", "recovery_s < 500ms".
  { name: 'outage_s', aliases: ['longest_outage'], label: 'longest outage', unit: 'µs', better: 'lower', combine: 'max', of: (r) => (r.metrics.resilience?.longestOutageS ?? 0) * 1e6 },
  { name: 'recovery_s', aliases: ['mttr'], label: 'mean recovery', unit: 'µs', better: 'lower', combine: 'median', of: (r) => (r.metrics.resilience?.meanRecoveryS ?? Number.NaN) * 1e6 },
  { name: 'lost', aliases: [], label: 'lost', unit: 'count', better: 'lower', combine: 'sum', of: (r) => r.metrics.counters.lost ?? 0 },
  { name: 'reconnects', aliases: [], label: 'reconnects', unit: 'count', better: 'lower', combine: 'sum', of: (r) => r.metrics.counters.reconnects ?? 0 },
  {
    name: 'backend_imbalance',
    aliases: ['imbalance'],
    label: 'backend imbalance',
    unit: '%',
    better: 'lower',
    combine: 'max',
    of: (r) => backendImbalancePct(r.metrics.backends) ?? Number.NaN,
    whenMissing: 'it needs per-backend figures of at least two backends with throughput (a --target list or several server instances)',
  },
  { name: 'connect_p50', aliases: [], label: 'connect p50', unit: 'µs', better: 'lower', combine: 'median', of: (r) => (r.metrics.connectLatencyUs?.count ? r.metrics.connectLatencyUs.p50 : Number.NaN) },
  // Connection churn and scale.
  { name: 'connections', aliases: ['connections_opened'], label: 'connections', unit: 'count', better: 'lower', combine: 'median', of: (r) => r.metrics.counters.connectionsOpened ?? Number.NaN },
  { name: 'refused_streams', aliases: ['refused'], label: 'refused streams', unit: 'count', better: 'lower', combine: 'sum', of: (r) => r.metrics.counters.refusedStreams ?? 0 },
  {
    name: 'rss_mib',
    aliases: ['peak_rss_mib', 'rss'],
    label: 'generator RSS MiB',
    unit: 'count',
    better: 'lower',
    combine: 'max',
    of: (r) => r.metrics.generator.memory?.peakRssMiB ?? Number.NaN,
    whenMissing: 'the generator RSS is sampled once per second of the time series: the run needs a measured second',
  },
];

/** HTTP/2 DATA bytes, both directions, per echo of the measured window. */
function wireBytesPerMessage(run: RunRecord): number {
  const wire = run.metrics.wire;
  const echoes = run.metrics.counters.receivedInWindow;
  return wire && echoes > 0 ? (wire.bytesSent + wire.bytesReceived) / echoes : Number.NaN;
}

function measuredSetup(run: RunRecord, p: 'p50' | 'p99'): number {
  const setup = run.metrics.setupLatencyUs;
  return setup !== undefined && setup.count > 0 ? setup[p] : Number.NaN;
}

/** The metrics compare shows by default. */
export const COMPARE_METRICS = ['msgs_per_s', 'p50', 'p99', 'p99_9'] as const;

export function findMetric(name: string): MetricDefinition | undefined {
  const wanted = name.trim().toLowerCase();
  return METRICS.find((m) => m.name === wanted || m.aliases.includes(wanted));
}

export function metricByName(name: string): MetricDefinition {
  const metric = findMetric(name);
  if (!metric) throw new RangeError(`unknown metric ${name}`);
  return metric;
}

/** Metric names for messages: "msgs_per_s, mib_per_s, p50, …". */
export function metricNames(): string {
  return METRICS.map((m) => m.name).join(', ');
}
