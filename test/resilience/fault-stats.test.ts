import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaultOptions } from '../../src/resilience/fault-options.js';
import { createFaultCounters, rejectionKey, renderFaultSummary, snapshotFaultStats } from '../../src/resilience/fault-stats.js';

const OPTIONS: FaultOptions = {
  seed: 1,
  reject: { rate: 0.1, status: 'UNAVAILABLE', code: 14, reason: 'INJECTED_FAULT', retryAfterMs: null },
  abort: null,
  drop: { rate: 0.01 },
  stall: { everyMs: 1000, durationMs: 500 },
  connectionAge: { ageMs: 1000, graceMs: null },
};

test('the stats document: counts, rejections by status and reason, the options that produced them', () => {
  const counters = createFaultCounters();
  Object.assign(counters, { streams: 2000, aborted: 0, notesDropped: 12, stalls: 3, stalledMs: 1500.4, connections: 5, connectionsAgedOut: 4 });
  counters.rejected.set(rejectionKey('UNAVAILABLE', 'INJECTED_FAULT'), 203);
  assert.deepEqual(snapshotFaultStats(counters, OPTIONS, 3012.7), {
    schema: 'grpc-stream-bench/fault-stats',
    schemaVersion: 1,
    faults: OPTIONS,
    uptimeMs: 3013,
    streams: { total: 2000, accepted: 1797, rejected: 203, rejectedBy: [{ status: 'UNAVAILABLE', reason: 'INJECTED_FAULT', count: 203 }], aborted: 0 },
    notes: { dropped: 12 },
    stalls: { count: 3, totalMs: 1500 },
    connections: { opened: 5, agedOut: 4 },
  });
});

test('the summary line', () => {
  const table: Array<[Partial<ReturnType<typeof createFaultCounters>>, Array<[string, number]>, string]> = [
    [
      { streams: 2000, notesDropped: 12, stalls: 3, stalledMs: 1500, connectionsAgedOut: 4 },
      [['UNAVAILABLE INJECTED_FAULT', 203]],
      'faults: 2000 streams, 203 rejected (UNAVAILABLE INJECTED_FAULT ×203), 0 aborted, 12 notes dropped, 3 stalls (1500 ms), 4 connections aged out',
    ],
    [{}, [], 'faults: 0 streams, 0 rejected, 0 aborted, 0 notes dropped, 0 stalls (0 ms), 0 connections aged out'],
    [{ streams: 1, aborted: 1, notesDropped: 1, stalls: 1, stalledMs: 300, connectionsAgedOut: 1 }, [], 'faults: 1 stream, 0 rejected, 1 aborted, 1 note dropped, 1 stall (300 ms), 1 connection aged out'],
    [
      { streams: 10 },
      [
        ['UNAVAILABLE OVERLOADED', 2],
        ['ABORTED INJECTED_FAULT', 5],
      ],
      'faults: 10 streams, 7 rejected (ABORTED INJECTED_FAULT ×5, UNAVAILABLE OVERLOADED ×2), 0 aborted, 0 notes dropped, 0 stalls (0 ms), 0 connections aged out',
    ],
  ];
  for (const [counts, rejected, line] of table) {
    const counters = Object.assign(createFaultCounters(), counts);
    for (const [key, n] of rejected) counters.rejected.set(key, n);
    assert.equal(renderFaultSummary(snapshotFaultStats(counters, OPTIONS, 0)), line);
  }
});
