import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { WorkerState } from '../../src/load/worker-state.js';
import { initHistograms, summarizeEncoded, encodeHistogram } from '../../src/stats/histogram.js';

before(() => initHistograms());

test('only messages intended inside the window are measured; throughput counts arrivals inside it', () => {
  const state = new WorkerState(true);
  state.warmEndMs = 1_000;
  state.endMs = 2_000;
  // intended, actual, arrival (ms)
  state.recordEcho(900, 900, 1_100, 20); // warm-up message: not measured, but arrived in the window
  state.recordEcho(1_500, 1_600, 1_700, 20); // measured: 200 ms from intended, 100 ms from actual
  state.recordEcho(1_990, 1_990, 2_050, 20); // measured, arrived after the window
  state.recordEcho(2_000, 2_000, 2_010, 20); // intended at the window end: not measured
  const c = state.counters;
  assert.equal(c.receivedTotal, 4);
  assert.equal(c.received, 2);
  assert.equal(c.receivedInWindow, 2);
  assert.equal(c.bytesReceived, 40);
  const corrected = summarizeEncoded([encodeHistogram(state.latency)]);
  const uncorrected = summarizeEncoded([encodeHistogram(state.uncorrected!)]);
  assert.equal(corrected.count, 2);
  assert.ok(Math.abs(corrected.max - 200_000) / 200_000 < 0.001, `corrected max ${corrected.max} µs`);
  assert.ok(Math.abs(uncorrected.max - 100_000) / 100_000 < 0.001, `uncorrected max ${uncorrected.max} µs`);
  assert.equal(state.lastMeasuredReplyMs, 2_050);
  state.destroy();
});

test("the backend that answered gets the same classification as the worker's counters", () => {
  const state = new WorkerState(false);
  state.warmEndMs = 1_000;
  state.endMs = 2_000;
  const a = state.backends.of('a:1');
  const b = state.backends.of('b:1'); // a second backend: both record their own latencies
  state.recordEcho(900, 900, 1_100, 20, a); // warm-up message that arrived in the window
  state.recordEcho(1_500, 1_500, 1_700, 20, a); // measured
  state.recordEcho(1_990, 1_990, 2_050, 20, b); // measured, arrived after the window
  state.recordEcho(1_200, 1_200, 1_210, 20); // no backend known: the worker's counters only
  const [ra, rb] = state.backends.results();
  assert.deepEqual([ra?.received, ra?.receivedInWindow, rb?.received, rb?.receivedInWindow], [1, 2, 1, 0]);
  assert.equal(summarizeEncoded([ra?.histogram ?? '']).count, 1);
  assert.ok(Math.abs(summarizeEncoded([rb?.histogram ?? '']).max - 60_000) / 60_000 < 0.001);
  assert.equal(state.counters.received, 3);
  state.destroy();
});

test('the per-second interval histogram is handed over and cleared', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  state.recordEcho(0, 0, 1, 10);
  state.recordStreamError({ code: 14, details: 'gone', origin: 'server', rich: { reason: 'OVERLOADED', domain: 'd', retryDelayMs: null }, pushbackMs: null }, 0);
  const tick = state.takeInterval();
  assert.equal(tick.received, 1);
  assert.equal(tick.errors, 1);
  assert.deepEqual(tick.errorsByCategory, { rejected: 1 });
  assert.deepEqual(state.takeInterval().errorsByCategory, {}, 'cleared with the interval');
  assert.deepEqual(state.counters.errorsByReason, { 'd/OVERLOADED': 1 });
  assert.equal(summarizeEncoded([tick.histogram]).count, 1);
  assert.equal(state.takeInterval().received, 0);
  assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 1 });
  assert.equal(state.firstError, 'UNAVAILABLE: gone');
  state.destroy();
});

test('send lag is summed and sends over the threshold are counted late', () => {
  const state = new WorkerState(true);
  state.recordSendLag(0.2, 1);
  state.recordSendLag(1.5, 1);
  assert.equal(state.counters.lateSends, 1);
  assert.ok(Math.abs(state.counters.sendLagMsTotal - 1.7) < 1e-9);
  state.destroy();
});

test("each second's send lag goes out with the interval: mean, largest, sends; null when nothing was sent", () => {
  const state = new WorkerState(true);
  assert.equal(state.takeInterval().sendLag, null, 'no sends yet');
  state.recordSendLag(0.5, 5);
  state.recordSendLag(2.5, 5);
  state.recordSendLag(9, 5);
  assert.deepEqual(state.takeInterval().sendLag, { sends: 3, meanMs: 4, maxMs: 9 });
  assert.equal(state.takeInterval().sendLag, null, 'cleared with the interval');
  assert.equal(state.counters.sendLagMsTotal, 12, 'the run totals keep counting');
  state.destroy();
});
