import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildTimeSeries, countErrors, emptyCounters, sumCounters } from '../../src/stats/aggregate.js';
import { createLatencyHistogram, encodeHistogram, initHistograms, recordLatency } from '../../src/stats/histogram.js';
import type { Counters, ProgressTick } from '../../src/types.js';

before(() => initHistograms());

const TALLIES: readonly string[] = ['errorsByStatus', 'errorsByCategory', 'errorsByReason'];

function numbered(offset: number): Counters {
  const c = emptyCounters();
  let i = offset;
  for (const key of Object.keys(c) as (keyof Counters)[]) if (!TALLIES.includes(key)) (c[key] as number) = ++i;
  return c;
}

test('sumCounters adds every numeric field and merges the errors per status, category and reason', () => {
  const a = { ...numbered(0), errorsByStatus: { UNAVAILABLE: 2 }, errorsByCategory: { rejected: 2 }, errorsByReason: { 'd/OVERLOADED': 2 } };
  const b = { ...numbered(100), errorsByStatus: { UNAVAILABLE: 1, UNIMPLEMENTED: 4 }, errorsByCategory: { rejected: 1, protocol: 4 }, errorsByReason: {} };
  const total = sumCounters([a, b]);
  for (const key of Object.keys(total) as (keyof Counters)[]) {
    if (TALLIES.includes(key)) continue;
    assert.equal(total[key], (a[key] as number) + (b[key] as number), key);
  }
  assert.deepEqual(total.errorsByStatus, { UNAVAILABLE: 3, UNIMPLEMENTED: 4 });
  assert.deepEqual(total.errorsByCategory, { rejected: 3, protocol: 4 });
  assert.deepEqual(total.errorsByReason, { 'd/OVERLOADED': 2 });
});

test('countErrors counts failed streams, early ends, wrong, unanswered and unsent messages', () => {
  const c = { ...emptyCounters(), errorsByStatus: { UNAVAILABLE: 2 }, streamsEndedEarly: 1, mismatches: 3, unanswered: 4, unsent: 5, lateSends: 100 };
  assert.equal(countErrors(c), 15);
});

test('time series: one point per second over all workers, warm-up seconds flagged', () => {
  const tick = (workerIndex: number, second: number, values: number[]): ProgressTick => {
    const h = createLatencyHistogram();
    for (const v of values) recordLatency(h, v);
    const histogram = encodeHistogram(h);
    h.destroy();
    return { type: 'tick', workerIndex, second, received: values.length, errors: workerIndex, histogram };
  };
  const series = buildTimeSeries([tick(0, 2, [100, 200]), tick(1, 1, [50]), tick(0, 1, [10, 20, 30]), tick(1, 2, [300])], 1.5);
  assert.deepEqual(
    series.map((p) => [p.second, p.warmup, p.msgsPerS, p.errors]),
    [
      [1, true, 4, 1],
      [2, true, 3, 1],
    ],
  );
  assert.equal(series[1]!.p99Us, 300);
  assert.ok(series.every((p) => p.backends === undefined), 'no per-backend echoes without backends');
});

test('time series: echoes by backend per second, over the workers', () => {
  const h = createLatencyHistogram();
  const histogram = encodeHistogram(h);
  h.destroy();
  const tick = (workerIndex: number, second: number, backends: [string, number][]): ProgressTick => ({
    type: 'tick',
    workerIndex,
    second,
    received: backends.reduce((a, [, n]) => a + n, 0),
    errors: 0,
    histogram,
    backends: backends.map(([backend, received]) => ({ backend, received })),
  });
  // Second 2: no tick lists b; the workers' counts of a are added.
  const series = buildTimeSeries([tick(0, 1, [['a', 5], ['b', 7]]), tick(1, 1, [['a', 2]]), tick(0, 2, [['a', 4]]), tick(1, 2, [['a', 1]])], 0);
  assert.deepEqual(
    series.map((p) => [p.second, p.msgsPerS, p.backends]),
    [
      [1, 14, { a: 7, b: 7 }],
      [2, 5, { a: 5 }],
    ],
  );
  // One backend is kept too (a shard may see one backend of several).
  const single = buildTimeSeries([tick(0, 1, [['a', 5]]), tick(1, 1, [['a', 2]])], 0);
  assert.deepEqual(single[0]?.backends, { a: 7 });
});
