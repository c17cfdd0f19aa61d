import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { liveSecond } from '../../src/load/run-load.js';
import { MAX_LIVE_SECONDS } from '../../src/observe/live/live-messages.js';
import { LiveState, parseCellId, placeCell, toLiveRunResult, toLiveSecond } from '../../src/observe/live/live-state.js';
import type { ProgressTick, RunRecord } from '../../src/types.js';
import { baseConfig, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import { tick } from '../helpers/progress-ticks.js';

function openLoopRecord(): RunRecord {
  const run = syntheticRun({ msgsPerS: 5000, latencyUs: 200, config: { rate: 5000 } });
  run.metrics.counters = { ...run.metrics.counters, sent: 1000, heldBackSends: 200, sendLagMsTotal: 40, lateSends: 7, unsent: 3 };
  run.timeSeriesStartMs = 1_000_000;
  run.metrics.resilience = {
    outages: [
      { startMs: 1_002_500, endMs: 1_003_750, ongoing: false, streams: 2, reconnects: 3, lost: 9, delayed: 40 },
      { startMs: 1_005_000, endMs: 1_006_000, ongoing: true, streams: 1, reconnects: 1, lost: 0 },
    ],
    longestOutageS: 1.25,
    meanRecoveryS: 0.8,
    reconnects: 4,
    lost: 9,
    breakerTransitions: [{ atMs: 1_002_600, state: 'open' }],
  };
  return run;
}

before(async () => {
  await initHistograms();
});

describe('live state', () => {
  it('turns a LiveProgress into the figures of one second, without the histogram', () => {
    const progress = liveSecond(
      [
        tick(1, 3, [110, 130, 5000], { errors: 1, errorsByCategory: { transport: 1 }, openStreams: 4, eventLoopUtilization: 0.25, sendLag: { sends: 30, meanMs: 2, maxMs: 5 } }),
        tick(0, 3, [100, 120, 150, 900], { errors: 2, errorsByCategory: { transport: 2 }, reconnects: 1, openStreams: 3, breaker: 'open', eventLoopUtilization: 0.5, sendLag: { sends: 10, meanMs: 1, maxMs: 3 } }),
      ],
      0.8123,
    );
    const s = toLiveSecond(progress);
    assert.deepEqual(s, {
      second: 3,
      msgsPerS: 7,
      errors: 3,
      errorsByCategory: { transport: 3 },
      latencyUs: progress.latencyUs,
      reconnects: 1,
      openStreams: 7,
      breakersOpen: 1,
      generatorCpu: 0.812,
      workerEventLoopUtilization: [0.5, 0.25],
      sendLagMs: { mean: 1.75, max: 5 },
      backends: [],
    });
    assert.ok(s.latencyUs.p50 >= 100 && s.latencyUs.p50 <= 160, `p50 ${s.latencyUs.p50}`);
    assert.ok(s.latencyUs.max >= 4990, `max ${s.latencyUs.max}`);
    assert.equal('histogram' in s, false);
  });

  it("merges the workers' per-backend echoes of a second; only the newest second keeps them", () => {
    const w0 = (second: number, a: number, b: number): ProgressTick => tick(0, second, [100], { backends: [{ backend: '127.0.0.1:1', received: a }, { backend: '127.0.0.1:2', received: b }] });
    const w1 = (second: number, b: number, c: number): ProgressTick => tick(1, second, [100], { backends: [{ backend: '127.0.0.1:2', received: b }, { backend: '127.0.0.1:3', received: c }] });
    const first = liveSecond([w0(1, 10, 20), w1(1, 5, 30)], 0.5);
    assert.deepEqual(first.backends, [
      { backend: '127.0.0.1:1', msgsPerS: 10 },
      { backend: '127.0.0.1:2', msgsPerS: 25 },
      { backend: '127.0.0.1:3', msgsPerS: 30 },
    ]);
    const state = new LiveState('run');
    state.runStarted({ config: baseConfig({ target: '127.0.0.1:1,127.0.0.1:2,127.0.0.1:3', lb: 'round_robin' }), cellId: null, repetition: null });
    assert.equal(state.snapshot().run?.config.lb, 'round_robin');
    const event = state.second(first);
    assert.ok(event.type === 'second');
    assert.deepEqual(event.data.backends, first.backends, 'the second event carries them');
    state.second(liveSecond([w0(2, 0, 1), w1(2, 2, 3)], 0.5));
    const [older, newest] = state.snapshot().seconds;
    assert.equal(older?.backends, undefined, 'dropped from the older second');
    assert.deepEqual(newest?.backends, [
      { backend: '127.0.0.1:1', msgsPerS: 0 },
      { backend: '127.0.0.1:2', msgsPerS: 3 },
      { backend: '127.0.0.1:3', msgsPerS: 3 },
    ]);
    // 100 backends over two workers: at most 64 entries, the rest as "other", none lost.
    const many = (w: number, from: number): ProgressTick =>
      tick(w, 3, [], { backends: Array.from({ length: 50 }, (_, i) => ({ backend: `10.0.0.${from + i}:1`, received: 2 })) });
    const bounded = liveSecond([many(0, 0), many(1, 50)], 0.5).backends;
    assert.equal(bounded.length, 64);
    assert.deepEqual(bounded[63], { backend: 'other', msgsPerS: 2 * (100 - 63) });
    assert.equal(bounded.reduce((n, b) => n + b.msgsPerS, 0), 200);
  });

  it('keeps totals per run, restarts them with each run, and caps the history', () => {
    const state = new LiveState('run', () => 42);
    const [started] = state.runStarted({ config: baseConfig(), cellId: null, repetition: null });
    assert.equal(started?.type, 'run-started');
    let last;
    for (let second = 1; second <= MAX_LIVE_SECONDS + 5; second++) {
      last = state.second(liveSecond([tick(0, second, [100, 200], { errors: 1, errorsByCategory: { rejected: 1 }, reconnects: second % 2 })], 0.5));
    }
    assert.equal(last?.type, 'second');
    const snap = state.snapshot();
    assert.equal(snap.seconds.length, MAX_LIVE_SECONDS);
    assert.equal(snap.seconds[0]?.second, 6);
    assert.deepEqual(snap.totals, { seconds: MAX_LIVE_SECONDS + 5, received: 2 * (MAX_LIVE_SECONDS + 5), errors: MAX_LIVE_SECONDS + 5, errorsByCategory: { rejected: MAX_LIVE_SECONDS + 5 }, reconnects: Math.ceil((MAX_LIVE_SECONDS + 5) / 2) });
    state.runStarted({ config: baseConfig(), cellId: null, repetition: null });
    assert.equal(state.snapshot().seconds.length, 0);
    assert.equal(state.snapshot().totals.received, 0);
  });

  it('summarises an open-loop run: send lag over the sends it paced, outages in series seconds', () => {
    const result = toLiveRunResult(openLoopRecord());
    assert.deepEqual(result.sendLag, { meanMs: 40 / 800, lateSends: 7, heldBackSends: 200, unsent: 3 });
    assert.deepEqual(result.outages, [
      { fromS: 2.5, toS: 3.75, durationS: 1.25, ongoing: false, streams: 2, reconnects: 3, lost: 9, delayed: 40 },
      { fromS: 5, toS: 6, durationS: 1, ongoing: true, streams: 1, reconnects: 1, lost: 0, delayed: null },
    ]);
    assert.deepEqual(result.resilience, { longestOutageS: 1.25, meanRecoveryS: 0.8, reconnects: 4, lost: 9, breakerTransitions: 1 });
  });

  it('has no send lag for a closed-loop run and no outages without --reconnect', () => {
    const run = syntheticRun({ msgsPerS: 9000, latencyUs: 120 });
    const result = toLiveRunResult(run);
    assert.equal(result.sendLag, null);
    assert.equal(result.resilience, null);
    assert.deepEqual(result.outages, []);
    assert.equal(result.msgsPerS, 9000);
    assert.equal(result.latencyUs.p99, run.metrics.latencyUs.p99);
  });

  for (const [id, expected] of [
    ['compression=gzip,size=1024,window=65535', { compression: 'gzip', size: '1024', window: '65535' }],
    ['size=16,window=default', { size: '16', window: null }],
    ['cell', {}],
  ] as const) {
    it(`parses the cell id ${id}`, () => assert.deepEqual(parseCellId(id), expected));
  }

  it('places a cell by its config when known, else by its id; other axes make their own table', () => {
    assert.deepEqual(placeCell('compression=gzip,size=1024,window=default', undefined), { cellId: 'compression=gzip,size=1024,window=default', group: 'compression=gzip', size: 1024, window: null, compression: 'gzip' });
    assert.deepEqual(placeCell('size=64,streams=4', { size: 64, window: 1048576, compression: 'identity' }), {
      cellId: 'size=64,streams=4',
      group: 'compression=identity,streams=4',
      size: 64,
      window: 1048576,
      compression: 'identity',
    });
    assert.equal(placeCell('size=64', undefined).group, 'compression=?');
  });

  it('fills the sweep cells as repetitions finish', () => {
    const state = new LiveState('sweep');
    const progress = { phase: 'repetition-start' as const, cellIndex: 2, cellCount: 4, cellId: 'compression=gzip,size=1024', repetition: 0, repeat: 2, done: 0, total: 8, elapsedS: 0, etaS: 40 };
    const first = state.sweepProgress(progress, null);
    assert.equal(first.type, 'sweep');
    const events = state.runStarted({ config: baseConfig({ size: 1024, compression: 'gzip', window: 65535 }), cellId: progress.cellId, repetition: 0 });
    assert.deepEqual(events.map((e) => e.type), ['run-started', 'sweep']);
    const end = state.sweepProgress({ ...progress, phase: 'repetition-end', done: 1, elapsedS: 5, etaS: 35 }, { cellId: progress.cellId, msgsPerS: 12_000, p99Us: 300 });
    assert.ok(end.type === 'sweep');
    assert.deepEqual(end.data.cell, { cellId: progress.cellId, group: 'compression=gzip', size: 1024, window: 65535, compression: 'gzip', reps: [{ repetition: 0, msgsPerS: 12_000, p99Us: 300 }] });
    const snap = state.snapshot();
    assert.equal(snap.sweep?.progress?.etaS, 35);
    assert.equal(snap.sweep?.cells.length, 1);
    assert.deepEqual(state.finished('results/s.json'), { type: 'finished', data: { resultsPath: 'results/s.json' } });
    assert.equal(state.snapshot().phase, 'finished');
  });
});
