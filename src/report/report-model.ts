/** What a report shows of one results file, shared by the Markdown and HTML renderers (pure). */
import { cellFigures, cellsOf, samplesOf, type CellSamples } from '../results/cell-samples.js';
import type { BackendMetrics } from '../types.js';
import { cellBackends, hasSeveralBackends } from './backend-table.js';
import { metricByName } from '../results/metric-definitions.js';
import { varyingLabels, workloadKey } from '../results/workload-key.js';
import type { AuthDescriptor, ResilienceConfig, ResultsFile, RunConfig, RunRecord } from '../types.js';
import { addTally } from '../stats/aggregate.js';
import { formatBytes, formatCount, formatMicros } from './format.js';
import { formatSpread } from './format-metric.js';

export interface ReportCell {
  /** Short label: the workload fields that vary between cells. */
  label: string;
  cell: CellSamples;
  figures: Record<string, number>;
}

export interface HeatTable {
  /** The fixed fields of the group, e.g. "compression=gzip". */
  title: string;
  metric: 'msgs_per_s' | 'p99';
  sizes: number[];
  windows: (number | null)[];
  /** [size index][window index] → value or NaN. */
  values: number[][];
}

export interface ReportSection {
  source: string;
  file: ResultsFile;
  title: string;
  environment: [string, string][];
  /** Settings equal in every cell. */
  config: [string, string][];
  /** Profile definition (sweeps). */
  definition: unknown;
  cells: ReportCell[];
  heatTables: HeatTable[];
  /** Cells whose runs saw two backends or more, with their per-backend figures. */
  backends: { label: string; backends: BackendMetrics[] }[];
  notes: string[];
}

export const SUMMARY_HEADER = ['cell', 'reps', 'msgs/s', 'MiB/s', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'errors'];

const CONFIG_LABELS: Record<keyof RunConfig, string> = {
  target: 'target',
  targets: 'target addresses',
  lb: 'load balancing',
  allowPartial: 'allow partial target list',
  engine: 'client engine',
  security: 'security',
  auth: 'client authentication',
  resilience: 'failed streams',
  workers: 'workers',
  connections: 'connections',
  streams: 'streams',
  inFlight: 'in-flight per stream',
  rate: 'rate (msgs/s)',
  size: 'message size',
  compressibility: 'payload compressibility (%)',
  compression: 'compression',
  window: 'flow-control window',
  maxMessageSize: 'max message size',
  messagesPerStream: 'messages per stream (churn)',
  connectionChurn: 'streams per connection (connection churn)',
  warmupS: 'warm-up (s)',
  durationS: 'duration (s)',
  messages: 'messages',
  verify: 'verify echoes',
  pacing: 'open-loop pacing',
  timeoutS: 'timeout (s)',
  drainTimeoutS: 'drain timeout (s)',
  instances: 'embedded server instances',
  serverCpus: 'server CPUs',
  clientCpus: 'client CPUs',
  workerHeapMiB: 'worker heap cap (old generation, MiB)',
  workerYoungMiB: 'worker young generation (MiB)',
};

export function formatConfigValue(field: keyof RunConfig, value: unknown): string {
  // Results files from before the h2 engine: grpc-js, '.'-padded payloads.
  if (value === undefined && field === 'compressibility') return "legacy ('.' padding)";
  if (value === null || value === undefined) {
    if (field === 'target') return 'embedded echo server';
    if (field === 'rate') return 'closed loop';
    if (field === 'window') return 'default (64 KiB)';
    if (field === 'serverCpus' || field === 'clientCpus') return 'not pinned';
    if (field === 'messagesPerStream') return 'unlimited (one call per stream)';
    if (field === 'connectionChurn') return 'unlimited (connections kept)';
    if (field === 'workerHeapMiB' || field === 'workerYoungMiB') return "V8's default";
    return '—';
  }
  if ((field === 'size' || field === 'window' || field === 'maxMessageSize') && typeof value === 'number') return formatBytes(value);
  if (field === 'auth' && typeof value === 'object') return describeAuthValue(value as AuthDescriptor);
  if (field === 'resilience' && typeof value === 'object') return describeResilience(value as ResilienceConfig);
  return String(value);
}

export function describeResilience(r: ResilienceConfig): string {
  if (!r.reconnect) return 'not reopened';
  const breaker = r.breaker === null ? '' : `; breaker ${r.breaker.kind === 'consecutive' ? `after ${r.breaker.failures} failed opens in a row` : `at ${r.breaker.threshold * 100}% failed opens in ${r.breaker.windowMs} ms`}, half-open after ${r.breakerHalfOpenAfterMs} ms`;
  return `reopened on ${r.retryOn.join(', ')} after ${r.backoffInitialMs}–${r.backoffMaxMs} ms backoff (decorrelated jitter), at most ${r.maxReconnects} times per stream${breaker}`;
}

/** Errors by class and reason, and outages, over the repetitions of a cell ('' when there were none). */
function describeFailures(runs: readonly RunRecord[]): string {
  const tally = (pick: (r: RunRecord) => Record<string, number> | undefined): string => {
    const total: Record<string, number> = {};
    for (const run of runs) addTally(total, pick(run));
    return Object.entries(total)
      .map(([name, n]) => `${name} ×${n}`)
      .join(', ');
  };
  const parts: string[] = [];
  const classes = tally((r) => r.metrics.counters.errorsByCategory);
  if (classes !== '') parts.push(`errors by class: ${classes}`);
  const reasons = tally((r) => r.metrics.counters.errorsByReason);
  if (reasons !== '') parts.push(`by reason: ${reasons}`);
  const outages = runs.flatMap((r) => r.metrics.resilience?.outages ?? []);
  if (outages.length > 0) {
    const longest = Math.max(...outages.map((o) => (o.endMs - o.startMs) / 1000));
    const lost = runs.reduce((a, r) => a + (r.metrics.counters.lost ?? 0), 0);
    const reconnects = runs.reduce((a, r) => a + (r.metrics.counters.reconnects ?? 0), 0);
    parts.push(`${outages.length} outage(s), longest ${longest.toFixed(2)} s, ${reconnects} reconnects, ${lost} lost`);
  }
  return parts.join('; ');
}

function describeAuthValue(auth: AuthDescriptor): string {
  const token = auth.token === 'minted' ? `minted ${auth.jwtAlg} tokens (claims ${auth.jwtClaims.join(', ')}; ${auth.jwtTtlS} s)` : auth.token === 'none' ? 'no token' : `static token from ${auth.token}`;
  return auth.serverName === null ? token : `${token}; server name ${auth.serverName}`;
}

function environmentRows(file: ResultsFile): [string, string][] {
  const e = file.environment;
  return [
    ['created', file.createdAt],
    ['harness', `grpc-stream-bench ${e.harnessVersion}`],
    ['node / grpc-js', `${e.node} / ${e.grpcJs}`],
    ['platform', `${e.platform} ${e.arch}`],
    ['CPU', `${e.cpuModel} × ${e.cpuCount}`],
    ['memory', `${(e.totalMemoryBytes / 1024 ** 3).toFixed(1)} GiB`],
    ['git commit', e.gitCommit ?? 'unknown'],
  ];
}

function heatTables(cells: readonly CellSamples[]): HeatTable[] {
  const sizes = [...new Set(cells.map((c) => c.config.size))].sort((a, b) => a - b);
  const windows = [...new Set(cells.map((c) => c.config.window))].sort((a, b) => (a ?? 65_535) - (b ?? 65_535));
  if (sizes.length < 2 && windows.length < 2) return [];
  const groups = new Map<string, CellSamples[]>();
  for (const cell of cells) {
    const key = workloadKey(cell.config, { omit: ['size', 'window'], axes: cell.axes });
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const keys = [...groups.keys()];
  const split = keys.map((k) => k.split(','));
  const varying = new Set<number>();
  for (const parts of split) parts.forEach((p, i) => (split.some((o) => o[i] !== p) ? varying.add(i) : undefined));
  const tables: HeatTable[] = [];
  keys.forEach((key, j) => {
    const group = groups.get(key) as CellSamples[];
    const title = varying.size === 0 ? `compression=${(group[0] as CellSamples).config.compression}` : (split[j] as string[]).filter((_, i) => varying.has(i)).join(',');
    for (const metric of ['msgs_per_s', 'p99'] as const) {
      const values = sizes.map((size) =>
        windows.map((window) => {
          const cell = group.find((c) => c.config.size === size && c.config.window === window);
          return cell ? (cellFigures(cell)[metric] ?? Number.NaN) : Number.NaN;
        }),
      );
      tables.push({ title, metric, sizes, windows, values });
    }
  });
  return tables;
}

export function buildReportSection(file: ResultsFile, source: string): ReportSection {
  const cells = cellsOf(file, source);
  const labels = varyingLabels(cells.map((c) => c.key));
  const configs = cells.map((c) => c.config);
  const fields = Object.keys(CONFIG_LABELS) as (keyof RunConfig)[];
  const config: [string, string][] = [];
  const varying: string[] = [];
  for (const field of fields) {
    const values = new Set(configs.map((c) => JSON.stringify(c[field])));
    if (values.size <= 1) config.push([CONFIG_LABELS[field], formatConfigValue(field, configs[0]?.[field] ?? null)]);
    else varying.push(CONFIG_LABELS[field]);
  }
  if (varying.length > 0) config.push(['varies by cell', varying.join(', ')]);
  const notes: string[] = [];
  if (configs.some((c) => c.compression !== 'identity')) {
    notes.push('The grpc-js server never compresses its responses: gzip and deflate cost and save only on the client → server direction.');
  }
  const runs = cells.flatMap((c) => c.runs);
  const placements = [...new Set(runs.map((r) => r.placement.note))];
  if (placements.length > 0) notes.push(`CPU placement: ${placements.join('; ')}`);
  for (const w of [...new Set(runs.flatMap((r) => r.warnings))]) notes.push(`warning: ${w}`);
  if (file.kind === 'sweep' && file.interrupted) notes.push('The sweep was interrupted: some cells have fewer repetitions.');
  const failed = cells.reduce((s, c) => s + c.failedRepetitions, 0);
  if (failed > 0) notes.push(`${failed} repetition(s) errored and are left out.`);
  cells.forEach((cell, i) => {
    const failures = describeFailures(cell.runs);
    if (failures !== '') notes.push(`${cells.length > 1 ? `${labels[i]}: ` : ''}${failures}`);
  });
  return {
    source,
    file,
    title: file.kind === 'run' ? `run · ${source}` : `sweep "${file.profile.name}" · ${source}`,
    environment: environmentRows(file),
    config: file.kind === 'sweep' ? [['profile', file.profile.name], ['repetitions', String(file.repeat)], ['seed', String(file.seed)], ...config] : config,
    definition: file.kind === 'sweep' ? file.profile.definition : null,
    cells: cells.map((cell, i) => ({ label: labels[i] as string, cell, figures: cellFigures(cell) })),
    heatTables: heatTables(cells),
    backends: cells
      .map((cell, i) => ({ label: labels[i] as string, backends: cellBackends(cell.runs) }))
      .filter((c) => hasSeveralBackends(c.backends)),
    notes,
  };
}

/** One summary row per cell, as text cells. */
export function summaryRows(section: ReportSection): string[][] {
  return section.cells.map(({ label, cell, figures }) => {
    const msgs = figures.msgs_per_s ?? Number.NaN;
    const lat = (name: string): string => (Number.isFinite(figures[name]) ? formatMicros(figures[name] as number) : 'n/a');
    return [
      label,
      `${cell.runs.length}${cell.failedRepetitions > 0 ? ` (+${cell.failedRepetitions} failed)` : ''}`,
      Number.isFinite(msgs) ? `${formatCount(msgs)} ${formatSpread(samplesOf(cell, metricByName('msgs_per_s')), msgs)}`.trim() : 'n/a',
      Number.isFinite(figures.mib_per_s) ? (figures.mib_per_s as number).toFixed(2) : 'n/a',
      lat('p50'),
      lat('p90'),
      lat('p99'),
      lat('p99_9'),
      lat('p99_99'),
      lat('max'),
      formatCount(figures.errors ?? 0),
    ];
  });
}

export function windowLabel(window: number | null): string {
  return window === null ? 'default' : formatBytes(window);
}
