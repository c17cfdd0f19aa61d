import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueCount, intendedTime, streamSchedule } from '../../src/load/pacer.js';

test('schedule: interval = streams / rate, phases spread the streams evenly', () => {
  // 1000 msgs/s over 4 streams: each stream every 4 ms, stream i shifted by i ms.
  const cases = [0, 1, 2, 3].map((i) => streamSchedule(100, 1000, 4, i));
  assert.deepEqual(cases.map((s) => s.intervalMs), [4, 4, 4, 4]);
  assert.deepEqual(cases.map((s) => s.phaseMs), [0, 1, 2, 3]);
  // Merged, the four streams send every 1 ms.
  const times = cases.flatMap((s) => [0, 1, 2].map((k) => intendedTime(s, k))).sort((a, b) => a - b);
  assert.deepEqual(times, [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
});

test('dueCount counts messages whose intended time has come', () => {
  const s = streamSchedule(1000, 100, 1, 0); // every 10 ms from t = 1000
  const table: Array<[number, number]> = [
    [999.9, 0],
    [1000, 1],
    [1009.9, 1],
    [1010, 2],
    [1095, 10],
    [2000, 101],
  ];
  for (const [now, due] of table) assert.equal(dueCount(s, now), due, `at ${now}`);
});

test('a stalled sender owes every missed message, each with its own intended time', () => {
  const s = streamSchedule(0, 1000, 1, 0);
  // Stalled for 50 ms: 51 messages are due, the first was meant for t = 0.
  assert.equal(dueCount(s, 50), 51);
  assert.equal(intendedTime(s, 0), 0);
  assert.equal(intendedTime(s, 50), 50);
});
