import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { before, test } from 'node:test';
import { PayloadFactory } from '../../src/grpc/payload.js';
import { intendedTime, streamSchedule } from '../../src/load/pacer.js';
import { StreamDriver, type RouteChatStream, type StreamDriverOptions } from '../../src/load/stream-driver.js';
import { WorkerState } from '../../src/load/worker-state.js';
import { initHistograms } from '../../src/stats/histogram.js';

before(() => initHistograms());

/** Stands in for a grpc-js duplex call: records writes, lets the test emit echoes. */
class FakeCall extends EventEmitter {
  written: string[] = [];
  ended = false;
  cancelled = false;
  writable = true;
  write(note: { message: string }): boolean {
    this.written.push(note.message);
    return this.writable;
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  echo(i: number): void {
    this.emit('data', { message: `Server received: ${this.written[i]}` });
  }
}

function driver(options: Partial<StreamDriverOptions> & { state: WorkerState; call: FakeCall; size?: number }): StreamDriver {
  return new StreamDriver(options.call as unknown as RouteChatStream, options.state, new PayloadFactory(options.size ?? 16), {
    inFlight: 3,
    budget: null,
    schedule: null,
    verify: true,
    onFinished: () => undefined,
    onRoom: () => undefined,
    onDone: () => undefined,
    ...options,
  });
}

test('closed loop keeps exactly in-flight messages outstanding and matches echoes in order', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  const call = new FakeCall();
  const d = driver({ state, call });
  d.fill();
  assert.equal(call.written.length, 3);
  call.echo(0);
  assert.equal(call.written.length, 4, 'one echo frees one slot');
  assert.equal(d.outstanding, 3);
  call.emit('data', { message: `Server received: ${call.written[2]}` }); // out of order: echo of #2 where #1 is due
  assert.equal(state.counters.mismatches, 1);
  assert.equal(state.counters.received, 2);
  state.destroy();
});

test('an echo nobody asked for is a mismatch, not a crash', () => {
  const state = new WorkerState(false);
  const call = new FakeCall();
  driver({ state, call });
  call.emit('data', { message: 'Server received: ?' });
  assert.equal(state.counters.mismatches, 1);
  state.destroy();
});

test('open loop: pump always returns a next due time after now (no rounding back)', () => {
  const state = new WorkerState(true);
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 0; trial < 200; trial++) {
    const schedule = streamSchedule(1000 * random(), 1 + 100_000 * random(), 1 + Math.floor(64 * random()), Math.floor(8 * random()));
    const call = new FakeCall();
    const d = driver({ state, call, inFlight: 1_000_000, schedule, verify: false });
    // Exactly at intended times (and a hair either side) is where rounding could go wrong.
    for (let k = 0; k < 50; k++) {
      const exact = intendedTime(schedule, k);
      for (const now of [exact * (1 - Number.EPSILON), exact, exact * (1 + Number.EPSILON)]) {
        const next = d.pump(now);
        assert.ok(next > now, `trial ${trial}, k ${k}: next ${next} <= now ${now}`);
      }
    }
  }
  state.destroy();
});

test('open loop: messages of the window held back by the cap are still sent after the stop, then counted unsent', () => {
  const state = new WorkerState(true);
  state.warmEndMs = 0;
  state.endMs = 100;
  const call = new FakeCall();
  // One message every 10 ms from t = 0; cap of 2 outstanding.
  const d = driver({ state, call, inFlight: 2, schedule: streamSchedule(0, 100, 1, 0), verify: false });
  assert.equal(d.pump(95), Number.POSITIVE_INFINITY, 'blocked by the cap');
  assert.equal(call.written.length, 2);
  state.endMs = 100;
  const owed = d.stopSending(100);
  assert.equal(owed, 8, 'messages intended at 20, 30, …, 90 ms are owed');
  state.owed += owed;
  call.echo(0);
  d.pump(101);
  assert.equal(call.written.length, 3, 'an owed message goes out once there is room');
  assert.equal(state.owed, 7);
  d.abandon();
  assert.equal(state.counters.unsent, 7);
  assert.equal(state.owed, 0, 'nothing left for the drain to wait for');
  assert.equal(state.counters.unanswered, 2, 'the two outstanding when abandoned');
  assert.ok(call.cancelled);
  state.destroy();
});
