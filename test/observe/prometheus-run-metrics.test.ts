import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { liveSecond } from '../../src/load/run-load.js';
import type { RunStart } from '../../src/observe/observer.js';
import { formatBound } from '../../src/observe/prometheus/exact-histogram.js';
import { findSamples, parseExposition, sampleValue, type Exposition } from '../helpers/parse-exposition.js';
import { createRunMetrics, LATENCY_BOUNDS_US, type RunMetrics } from '../../src/observe/prometheus/run-metrics.js';
import type { ProgressTick, RunConfig, SweepProgress } from '../../src/types.js';
import { baseConfig, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import { tick } from '../helpers/progress-ticks.js';
import { checkWithPromtool } from '../helpers/prometheus.js';

before(() => initHistograms());

const P = 'grpc_stream_bench_';

function start(config: Partial<RunConfig> = {}, cellId: string | null = null, repetition: number | null = null): RunStart {
  return { config: baseConfig(config), cellId, repetition };
}

async function scrape(metrics: RunMetrics): Promise<Exposition> {
  return parseExposition(await metrics.registry.metrics());
}

/** The bucket counts of the latency histogram for one label set, by `le`. */
function buckets(exposition: Exposition, labels: Record<string, string>): Map<string, number> {
  return new Map(findSamples(exposition, `${P}latency_seconds_bucket`, labels).map((s) => [s.labels.le ?? '', s.value]));
}

/** Runs `promtool check metrics` on the text when promtool is installed; skips that check otherwise. */
const PLAIN_LABELS = { engine: 'h2', target: 'embedded', compression: 'gzip', size: '1024', cell: '' };

test('counters grow second by second, under the run labels; latency buckets are cumulative and exact', async (t) => {
  const metrics = createRunMetrics();
  metrics.runStarted?.(start({ compression: 'gzip', size: 1024 }));
  // Second 1: two workers. Latencies chosen on and next to the bounds (µs).
  metrics.second?.(liveSecond([tick(0, 1, [40, 50, 51]), tick(1, 1, [100, 1_000, 2_000])], 0.8));
  let e = await scrape(metrics);
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, PLAIN_LABELS), 6);
  let b = buckets(e, PLAIN_LABELS);
  assert.deepEqual([...b.keys()], [...LATENCY_BOUNDS_US.map((us) => formatBound(us / 1e6)), '+Inf']);
  assert.equal(b.get('0.00005'), 2);
  assert.equal(b.get('0.0001'), 4);
  assert.equal(b.get('0.00025'), 4);
  assert.equal(b.get('0.001'), 5);
  assert.equal(b.get('0.0025'), 6);
  assert.equal(b.get('+Inf'), 6);
  assert.equal(sampleValue(e, `${P}latency_seconds_count`, PLAIN_LABELS), 6);
  assert.ok(Math.abs(sampleValue(e, `${P}latency_seconds_sum`, PLAIN_LABELS) - 0.003241) < 1e-9);

  // Second 2: more echoes, one very slow one.
  metrics.second?.(liveSecond([tick(0, 2, [300, 12_000_000]), tick(1, 2, [])], 1.2));
  e = await scrape(metrics);
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, PLAIN_LABELS), 8);
  b = buckets(e, PLAIN_LABELS);
  assert.equal(b.get('0.0005'), 5);
  assert.equal(b.get('10'), 7);
  assert.equal(b.get('+Inf'), 8);
  const values = [...b.values()];
  values.forEach((v, i) => assert.ok(i === 0 || v >= (values[i - 1] ?? 0), 'buckets are cumulative'));

  // Every series carries the five run labels.
  for (const s of e.samples.filter((s) => s.name.startsWith(P))) {
    for (const [name, value] of Object.entries(PLAIN_LABELS)) assert.equal(s.labels[name], value, `${s.name} label ${name}`);
  }
  checkWithPromtool(t, await metrics.registry.metrics());
});

test('errors by category (every category present from the start), reconnects and the last-second gauges', async () => {
  const metrics = createRunMetrics();
  metrics.runStarted?.(start({ compression: 'gzip', size: 1024 }));
  metrics.second?.(liveSecond([tick(0, 1, [100, 200, 300], { errors: 3, errorsByCategory: { transport: 2, rejected: 1 }, reconnects: 2, openStreams: 3, breaker: 'open' })], 0.55));
  metrics.second?.(liveSecond([tick(0, 2, [1_000], { errors: 1, errorsByCategory: { transport: 1 }, reconnects: 1, openStreams: 4 })], 0.65));
  const e = await scrape(metrics);
  const byCategory = Object.fromEntries(findSamples(e, `${P}errors_total`, PLAIN_LABELS).map((s) => [s.labels.category, s.value]));
  assert.deepEqual(byCategory, { transport: 3, rejected: 1, aborted: 0, deadline: 0, auth: 0, protocol: 0, harness: 0 });
  assert.equal(sampleValue(e, `${P}reconnects_total`, PLAIN_LABELS), 3);
  // Gauges: the last second only.
  assert.equal(sampleValue(e, `${P}messages_per_second`, PLAIN_LABELS), 1);
  assert.equal(sampleValue(e, `${P}open_streams`, PLAIN_LABELS), 4);
  assert.equal(sampleValue(e, `${P}breakers_open`, PLAIN_LABELS), 0);
  assert.equal(sampleValue(e, `${P}generator_cpu_cores`, PLAIN_LABELS), 0.65);
  assert.equal(sampleValue(e, `${P}run_elapsed_seconds`, PLAIN_LABELS), 2);
  assert.equal(sampleValue(e, `${P}last_second_latency_p50_seconds`, PLAIN_LABELS), 0.001);
  assert.equal(sampleValue(e, `${P}last_second_latency_p99_seconds`, PLAIN_LABELS), 0.001);
  assert.equal(sampleValue(e, `${P}run_info`, PLAIN_LABELS), 1);
});

test('a finished run: status and call counters from its results; gauges gone, run_info stays', async () => {
  const metrics = createRunMetrics();
  metrics.runStarted?.(start({ compression: 'gzip', size: 1024 }));
  metrics.second?.(liveSecond([tick(0, 1, [100])], 0.5));
  const record = syntheticRun({ msgsPerS: 100, latencyUs: 100, config: { compression: 'gzip', size: 1024 } });
  record.metrics.counters = { ...record.metrics.counters, streamsOpened: 12, errorsByStatus: { UNAVAILABLE: 2, UNAUTHENTICATED: 1 } };
  metrics.runFinished?.(record);
  const e = await scrape(metrics);
  assert.equal(sampleValue(e, `${P}failed_streams_total`, { ...PLAIN_LABELS, status: 'UNAVAILABLE' }), 2);
  assert.equal(sampleValue(e, `${P}failed_streams_total`, { ...PLAIN_LABELS, status: 'UNAUTHENTICATED' }), 1);
  assert.equal(sampleValue(e, `${P}calls_opened_total`, PLAIN_LABELS), 12);
  assert.equal(sampleValue(e, `${P}runs_total`, { ...PLAIN_LABELS, outcome: 'completed' }), 1);
  assert.equal(sampleValue(e, `${P}runs_total`, { ...PLAIN_LABELS, outcome: 'errored' }), 0);
  for (const gauge of ['messages_per_second', 'open_streams', 'generator_cpu_cores', 'last_second_latency_p99_seconds']) {
    assert.deepEqual(findSamples(e, P + gauge), [], `${gauge} is absent between runs`);
  }
  assert.equal(sampleValue(e, `${P}run_info`, PLAIN_LABELS), 1);
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, PLAIN_LABELS), 1);
  // A run that failed before any result.
  metrics.runStarted?.(start({ compression: 'gzip', size: 1024 }));
  metrics.runFinished?.(null);
  assert.equal(sampleValue(await scrape(metrics), `${P}runs_total`, { ...PLAIN_LABELS, outcome: 'errored' }), 1);
});

test('a sweep: one label set per cell, counters kept across repetitions, the target label, sweep progress', async (t) => {
  const metrics = createRunMetrics();
  const progress = (done: number): SweepProgress => ({
    phase: 'repetition-end', cellIndex: 1, cellCount: 2, cellId: 'x', repetition: 0, repeat: 2, done, total: 4, elapsedS: done, etaS: 4 - done,
  });
  const cells = [
    { id: 'compression=identity,size=16', config: { compression: 'identity', size: 16 } },
    { id: 'compression=gzip,size=16', config: { compression: 'gzip', size: 16 } },
  ] as const;
  let done = 0;
  for (let repetition = 0; repetition < 2; repetition++) {
    for (const cell of cells) {
      metrics.runStarted?.(start({ ...cell.config, target: '127.0.0.1:50051', engine: 'grpc-js' }, cell.id, repetition));
      metrics.second?.(liveSecond([tick(0, 1, cell.config.compression === 'gzip' ? [700, 800] : [70])], 1));
      metrics.runFinished?.(syntheticRun({ msgsPerS: 1, latencyUs: 1, config: cell.config }));
      metrics.sweepProgress?.(progress(++done), null);
    }
  }
  const e = await scrape(metrics);
  const labels = (cell: (typeof cells)[number]): Record<string, string> => ({
    engine: 'grpc-js', target: '127.0.0.1:50051', compression: cell.config.compression, size: '16', cell: cell.id,
  });
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, labels(cells[0])), 2);
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, labels(cells[1])), 4);
  assert.equal(sampleValue(e, `${P}runs_total`, { ...labels(cells[1]), outcome: 'completed' }), 2);
  assert.equal(buckets(e, labels(cells[0])).get('0.0001'), 2);
  assert.equal(buckets(e, labels(cells[1])).get('0.0001'), 0);
  assert.equal(buckets(e, labels(cells[1])).get('0.001'), 4);
  assert.equal(findSamples(e, `${P}run_info`).length, 1, 'run_info: only the latest run');
  assert.equal(sampleValue(e, `${P}run_info`, labels(cells[1])), 1);
  assert.equal(sampleValue(e, `${P}sweep_repetitions_done`), 4);
  assert.equal(sampleValue(e, `${P}sweep_repetitions`), 4);
  assert.equal(sampleValue(e, `${P}sweep_eta_seconds`), 0);
  checkWithPromtool(t, await metrics.registry.metrics());
});

test('a plain run has no sweep gauges', async () => {
  const metrics = createRunMetrics();
  metrics.runStarted?.(start());
  const e = await scrape(metrics);
  assert.equal(e.types.has(`${P}sweep_repetitions`), false);
});

test('label sets are bounded: beyond the limit, the one started longest ago is dropped', async () => {
  const metrics = createRunMetrics({ maxLabelSets: 2 });
  for (const size of [16, 32, 64]) {
    metrics.runStarted?.(start({ size }, `size=${size}`));
    metrics.second?.(liveSecond([tick(0, 1, [100])], 1));
    metrics.runFinished?.(null);
  }
  // 16 was dropped when 64 started; 32 runs again, so 64 is the oldest when 128 starts.
  metrics.runStarted?.(start({ size: 32 }, 'size=32'));
  metrics.runStarted?.(start({ size: 128 }, 'size=128'));
  const e = await scrape(metrics);
  const cells = findSamples(e, `${P}messages_echoed_total`).map((s) => s.labels.cell);
  assert.deepEqual(cells, ['size=32', 'size=128']);
});

test('seconds that come without runStarted are kept under empty labels', async () => {
  const metrics = createRunMetrics();
  metrics.second?.(liveSecond([tick(0, 1, [100, 100])], 1));
  const e = await scrape(metrics);
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, { engine: '', target: '', compression: '', size: '', cell: '' }), 2);
});

test('echoes per backend: a counter per backend under the run labels, bounded to 64 backends plus "other"', async (t) => {
  const metrics = createRunMetrics();
  const target = '127.0.0.1:1,127.0.0.1:2';
  const labels = { ...PLAIN_LABELS, target };
  metrics.runStarted?.(start({ compression: 'gzip', size: 1024, target, lb: 'round_robin' }));
  const backends = (a: number, b: number): Partial<ProgressTick> => ({ backends: [{ backend: '127.0.0.1:1', received: a }, { backend: '127.0.0.1:2', received: b }] });
  metrics.second?.(liveSecond([tick(0, 1, [100, 100, 100], backends(2, 1)), tick(1, 1, [100], backends(0, 1))], 1));
  metrics.second?.(liveSecond([tick(0, 2, [100], backends(0, 1))], 1));
  let e = await scrape(metrics);
  const perBackend = (): Record<string, number> => Object.fromEntries(findSamples(e, `${P}backend_messages_echoed_total`, labels).map((s) => [s.labels.backend, s.value]));
  assert.deepEqual(perBackend(), { '127.0.0.1:1': 2, '127.0.0.1:2': 3 });
  assert.equal(sampleValue(e, `${P}messages_echoed_total`, labels), 5, 'the total counter is unchanged');
  checkWithPromtool(t, await metrics.registry.metrics());

  // 70 more backends appear: 64 named in all, the rest counted as "other"; nothing lost.
  const many = Array.from({ length: 70 }, (_, i) => ({ backend: `127.0.1.${i}:9`, received: 1 }));
  metrics.second?.(liveSecond([tick(0, 3, [], { backends: many.slice(0, 35) }), tick(1, 3, [], { backends: many.slice(35) })], 1));
  e = await scrape(metrics);
  const counted = perBackend();
  assert.equal(Object.keys(counted).length, 65);
  assert.ok('other' in counted);
  assert.equal(Object.values(counted).reduce((a, b) => a + b, 0), 75);
  assert.equal(counted['127.0.0.1:1'], 2, 'a backend named before keeps its own series');
});
