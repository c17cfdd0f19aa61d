import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeTimeSeries } from '../../src/merge/merge-time-series.js';
import type { TimeSeriesPoint } from '../../src/types.js';

const point = (second: number, backends: Record<string, number>): TimeSeriesPoint => ({
  second,
  warmup: false,
  msgsPerS: Object.values(backends).reduce((a, n) => a + n, 0),
  p50Us: 1,
  p99Us: 2,
  errors: 0,
  backends,
});

test("per-backend echoes of the shards are added by backend, so they still add up to each second's echoes", () => {
  // Each shard saw one backend of two; shard B also saw a's echoes in its second second.
  const { points } = mergeTimeSeries([
    { startMs: 0, points: [point(1, { a: 10 }), point(2, { a: 12 })] },
    { startMs: 0, points: [point(1, { b: 7 }), point(2, { a: 1, b: 8 })] },
  ]);
  assert.deepEqual(
    points.map((p) => [p.second, p.msgsPerS, p.backends]),
    [
      [1, 17, { a: 10, b: 7 }],
      [2, 21, { a: 13, b: 8 }],
    ],
  );
});

test('the union of the shards is bounded again: at most 64 names, the rest summed under "other"', () => {
  const names = (from: number, n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`10.0.0.${String(from + i).padStart(3, '0')}:1`, 1]));
  const { points } = mergeTimeSeries([
    { startMs: 0, points: [point(1, names(0, 40))] },
    { startMs: 0, points: [point(1, names(40, 40))] },
  ]);
  const merged = points[0]?.backends ?? {};
  assert.equal(Object.keys(merged).length, 64);
  assert.equal(merged.other, 17, '80 backends: 63 named, 17 summed');
  assert.equal(Object.values(merged).reduce((a, n) => a + n, 0), 80);
});
