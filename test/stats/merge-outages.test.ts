import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeOutages, mergeTransitions, sumRecoveries } from '../../src/stats/merge-outages.js';
import type { Outage } from '../../src/types.js';

const outage = (startMs: number, endMs: number, streams = 1, ongoing = false): Outage => ({ startMs, endMs, ongoing, streams, reconnects: streams * 2, lost: streams * 3 });

test('overlapping outages of several workers are one outage; separate ones stay apart', () => {
  const merged = mergeOutages([[outage(1000, 2000), outage(5000, 5500)], [outage(1500, 2600, 2)], [outage(7000, 8000, 1, true)]]);
  assert.deepEqual(merged, [
    { startMs: 1000, endMs: 2600, ongoing: false, streams: 3, reconnects: 6, lost: 9 },
    { startMs: 5000, endMs: 5500, ongoing: false, streams: 1, reconnects: 2, lost: 3 },
    { startMs: 7000, endMs: 8000, ongoing: true, streams: 1, reconnects: 2, lost: 3 },
  ]);
  assert.deepEqual(mergeOutages([]), []);
});

test('recoveries add up; transitions are ordered in time with their worker', () => {
  assert.deepEqual(sumRecoveries([{ count: 2, totalMs: 300, maxMs: 200 }, { count: 1, totalMs: 500, maxMs: 500 }]), { count: 3, totalMs: 800, maxMs: 500 });
  assert.deepEqual(mergeTransitions([[{ atMs: 30, state: 'open' }], [{ atMs: 10, state: 'open' }, { atMs: 40, state: 'half-open' }]]).map((t) => [t.atMs, t.worker]), [[10, 1], [30, 0], [40, 1]]);
});
