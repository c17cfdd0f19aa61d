import assert from 'node:assert/strict';
import { before, describe, it, test } from 'node:test';
import { ConstantBackoff } from 'cockatiel';
import type { CallStatus, Echo, StreamHandler, TransportStream } from '../../src/engine/transport.js';
import { PayloadFactory } from '../../src/grpc/payload.js';
import { intendedTime, streamSchedule } from '../../src/load/pacer.js';
import { StreamDriver, type ReconnectOptions, type StreamDriverOptions } from '../../src/load/stream-driver.js';
import { WorkerState } from '../../src/load/worker-state.js';
import { initHistograms } from '../../src/stats/histogram.js';

before(() => initHistograms());

/** An echo given as text, as an engine hands one on. */
function textEcho(message: string, payload: PayloadFactory): Echo {
  return { bytes: Buffer.byteLength(message), isEchoOf: (seq) => payload.isEcho(message, seq), text: () => message };
}

/** Stands in for one transport call: records writes (by sequence number), lets the test deliver events. */
class FakeCall implements TransportStream {
  written: number[] = [];
  halfClosed = false;
  cancelled = false;
  writable = true;
  constructor(
    readonly handler: StreamHandler,
    private readonly payload: PayloadFactory,
  ) {}
  write(seq: number): boolean {
    this.written.push(seq);
    return this.writable;
  }
  halfClose(): void {
    this.halfClosed = true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  /** The server's echo of the i-th message written on this call. */
  echo(i: number): void {
    this.handler.onEcho(textEcho(`Server received: ${this.payload.make(this.written[i] as number)}`, this.payload));
  }
  reply(message: string): void {
    this.handler.onEcho(textEcho(message, this.payload));
  }
  end(status: CallStatus = { code: 0, details: '', origin: 'server', rich: null, pushbackMs: null }): void {
    this.handler.onEnd(status);
  }
}

/** The calls a driver opened, in order. */
class Calls {
  readonly all: FakeCall[] = [];
  constructor(readonly payload: PayloadFactory) {}
  readonly open = (handler: StreamHandler): FakeCall => {
    const call = new FakeCall(handler, this.payload);
    this.all.push(call);
    return call;
  };
  get last(): FakeCall {
    return this.all[this.all.length - 1] as FakeCall;
  }
}

/** Waits (polling) until `done()` holds; fails if it does not within a hang guard. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000; // hang guard
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  assert.ok(done(), 'within the hang guard');
}

function driver(options: Partial<StreamDriverOptions> & { state: WorkerState; calls: Calls }): StreamDriver {
  return new StreamDriver(options.calls.open, options.state, options.calls.payload, {
    inFlight: 3,
    budget: null,
    schedule: null,
    verify: true,
    messagesPerStream: null,
    reconnect: null,
    onFinished: () => undefined,
    onRoom: () => undefined,
    onDone: () => undefined,
    ...options,
  });
}

test('closed loop keeps exactly in-flight messages outstanding and matches echoes in order', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  const calls = new Calls(new PayloadFactory(16));
  const d = driver({ state, calls });
  const call = calls.last;
  d.fill();
  assert.equal(call.written.length, 3);
  call.echo(0);
  assert.equal(call.written.length, 4, 'one echo frees one slot');
  assert.equal(d.outstanding, 3);
  call.echo(2); // out of order: echo of #2 where #1 is due
  assert.equal(state.counters.mismatches, 1);
  assert.equal(state.counters.received, 2);
  state.destroy();
});

test('an echo nobody asked for is a mismatch, not a crash', () => {
  const state = new WorkerState(false);
  const calls = new Calls(new PayloadFactory(16));
  driver({ state, calls });
  calls.last.reply('Server received: ?');
  assert.equal(state.counters.mismatches, 1);
  state.destroy();
});

test('open loop: pump always returns a next due time after now (no rounding back)', () => {
  const state = new WorkerState(true);
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let trial = 0; trial < 200; trial++) {
    const schedule = streamSchedule(1000 * random(), 1 + 100_000 * random(), 1 + Math.floor(64 * random()), Math.floor(8 * random()));
    const d = driver({ state, calls: new Calls(new PayloadFactory(16)), inFlight: 1_000_000, schedule, verify: false });
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
  const calls = new Calls(new PayloadFactory(16));
  // One message every 10 ms from t = 0; cap of 2 outstanding.
  const d = driver({ state, calls, inFlight: 2, schedule: streamSchedule(0, 100, 1, 0), verify: false });
  const call = calls.last;
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

test('stream churn: each call carries exactly messagesPerStream echoes, then the next call opens at once', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  const calls = new Calls(new PayloadFactory(16));
  let finished = 0;
  const d = driver({ state, calls, inFlight: 2, messagesPerStream: 3, onFinished: () => finished++ });
  d.fill();
  const first = calls.last;
  assert.deepEqual(first.written, [0, 1], 'the in-flight window');
  first.echo(0);
  assert.deepEqual(first.written, [0, 1, 2], 'never more than 3 messages on one call');
  first.echo(1);
  assert.deepEqual(first.written, [0, 1, 2]);
  assert.equal(calls.all.length, 1);
  first.echo(2);
  assert.equal(first.halfClosed, true, 'half-closed after its 3rd echo');
  assert.equal(calls.all.length, 2, 'a new call opened at once');
  assert.deepEqual(calls.last.written, [3, 4], 'sequence numbers carry on');
  first.end(); // the server's OK for the retired call
  for (let i = 0; i < 3; i++) calls.last.echo(i);
  assert.equal(calls.all.length, 3);
  assert.equal(state.counters.received, 6);
  assert.equal(state.counters.mismatches, 0, 'echoes verified across calls');
  assert.equal(state.counters.streamsOpened, 3);
  assert.equal(Object.keys(state.counters.errorsByStatus).length, 0);
  // The run ends: the current call is half-closed and ends OK; the driver finishes once the
  // retired call has ended too.
  const second = calls.all[1] as FakeCall;
  d.stopSending(Number.POSITIVE_INFINITY);
  d.halfClose();
  calls.last.echo(3);
  calls.last.echo(4);
  calls.last.end();
  assert.equal(finished, 0, 'the second call has not reported its status yet');
  second.end();
  assert.equal(finished, 1);
  assert.equal(state.counters.streamsEndedEarly, 0);
  assert.equal(state.counters.unanswered, 0);
  state.destroy();
});

test('stream churn: a retired call that ends with an error is counted; one ending OK is not', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  const calls = new Calls(new PayloadFactory(16));
  const d = driver({ state, calls, inFlight: 1, messagesPerStream: 1 });
  d.fill();
  calls.last.echo(0);
  calls.last.echo(0);
  assert.equal(calls.all.length, 3);
  (calls.all[0] as FakeCall).end({ code: 14, details: 'gone', origin: 'server', rich: null, pushbackMs: null });
  (calls.all[1] as FakeCall).end();
  assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 1 });
  assert.equal(state.counters.streamsEndedEarly, 0);
  d.abandon();
  assert.equal(calls.last.cancelled, true);
  state.destroy();
});

test('stream churn: no new call once the budget is spent', () => {
  const state = new WorkerState(false);
  state.warmEndMs = 0;
  const calls = new Calls(new PayloadFactory(16));
  const d = driver({ state, calls, inFlight: 2, messagesPerStream: 2, budget: 2 });
  d.fill();
  calls.last.echo(0);
  calls.last.echo(1);
  assert.equal(calls.all.length, 1, 'nothing left to send: no call is opened for nothing');
  assert.equal(d.budgetSpent, true);
  state.destroy();
});

test('stream set-up latency: recorded once per call, from open to response headers, only for calls opened in the window', () => {
  const state = new WorkerState(false);
  state.warmEndMs = performance.now() + 60_000; // the first call opens in the warm-up
  const calls = new Calls(new PayloadFactory(16));
  const d = driver({ state, calls, inFlight: 1, messagesPerStream: 1 });
  d.fill();
  calls.last.handler.onHeaders();
  assert.equal(state.setup.totalCount, 0, 'opened during the warm-up');
  state.warmEndMs = 0;
  calls.last.echo(0); // rotates: the new call opens inside the window
  calls.last.handler.onHeaders();
  calls.last.handler.onHeaders();
  assert.equal(state.setup.totalCount, 1);
  assert.equal(state.counters.streamsOpened, 1);
  (calls.all[0] as FakeCall).handler.onHeaders(); // a late event of a retired call is ignored
  assert.equal(state.setup.totalCount, 1);
  state.destroy();
});

describe('--reconnect', () => {
  /** Reconnect options whose reopen opens the next fake call (after `failConnects` refused attempts). */
  function reconnecting(calls: Calls, extra: Partial<ReconnectOptions> = {}, failConnects = 0): ReconnectOptions {
    let refused = failConnects;
    return {
      retryable: (status) => status.code === 14,
      maxReconnects: 10,
      backoff: new ConstantBackoff(1),
      breaker: null,
      reopen: async (handler) => {
        if (refused-- > 0) throw new Error('connect ECONNREFUSED');
        return calls.open(handler);
      },
      ...extra,
    };
  }
  const unavailable: CallStatus = { code: 14, details: 'Connection dropped', origin: 'transport', rich: null, pushbackMs: null };

  it('a failed stream is reopened; what was outstanding is lost, not replayed; the outage ends when the new call answers', async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    let finished = 0;
    const d = driver({ state, calls, inFlight: 2, onFinished: () => finished++, reconnect: reconnecting(calls, {}, 2) });
    d.fill();
    calls.last.echo(0);
    calls.last.end(unavailable); // #1 and #2 outstanding
    assert.equal(state.counters.lost, 2);
    assert.equal(d.up, false);
    assert.equal(finished, 0, 'a stream waiting to be reopened is not finished');
    await until(() => calls.all.length === 2);
    assert.equal(state.counters.reconnects, 3, 'two refused connects, then the call');
    assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 3 }, 'the failure and each refused connect');
    const second = calls.last;
    assert.deepEqual(second.written, [3, 4], 'new sequence numbers, nothing replayed');
    assert.equal(d.up, false, 'down until the new call answers');
    second.echo(0);
    assert.equal(d.up, true);
    assert.equal(state.counters.mismatches, 0, 'the echo after the outage is matched to its own message (verify)');
    assert.equal(state.outages.length, 1);
    assert.equal(state.outages[0]?.ongoing, false);
    assert.equal(state.outages[0]?.lost, 2);
    assert.equal(state.recoveries.count, 1);
    state.destroy();
  });

  it('a status not worth retrying, or a spent budget of attempts, ends the stream as before', async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    let finished = 0;
    driver({ state, calls, inFlight: 1, onFinished: () => finished++, reconnect: reconnecting(calls) }).fill();
    calls.last.end({ ...unavailable, code: 7, origin: 'server', details: 'denied' });
    assert.equal(finished, 1);
    assert.equal(state.counters.reconnects, 0);
    const limited = new Calls(new PayloadFactory(16));
    let limitedFinished = 0;
    driver({ state, calls: limited, inFlight: 1, onFinished: () => limitedFinished++, reconnect: reconnecting(limited, { maxReconnects: 1 }) }).fill();
    limited.last.end(unavailable);
    await until(() => limited.all.length === 2);
    limited.last.end(unavailable);
    assert.equal(limitedFinished, 1, 'one reopen allowed, then the stream stays failed');
    state.destroy();
  });

  it('at the end of the run a stream still down gives up: the outage is closed, marked ongoing', async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    let finished = 0;
    const d = driver({ state, calls, inFlight: 1, onFinished: () => finished++, reconnect: reconnecting(calls, { backoff: new ConstantBackoff(60_000) }) });
    d.fill();
    calls.last.end(unavailable);
    d.stopSending(Number.POSITIVE_INFINITY);
    assert.equal(finished, 1, 'closed loop: nothing more to send, so no more waiting');
    assert.equal(calls.all.length, 1, 'the pending reopen was dropped');
    assert.equal(state.outages.length, 1);
    assert.equal(state.outages[0]?.ongoing, true);
    state.destroy();
  });

  it('open loop: messages due while the stream was down go out when it is back and count as delayed in the outage', async () => {
    const state = new WorkerState(true);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    const start = performance.now();
    const d = driver({ state, calls, inFlight: 100, schedule: streamSchedule(start, 1000, 1, 0), verify: false, reconnect: reconnecting(calls, { backoff: new ConstantBackoff(30) }) });
    d.pump(start);
    calls.last.end(unavailable);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(d.pump(performance.now()), Number.POSITIVE_INFINITY, 'down: due messages are held back (the scheduler lets go of the stream)');
    await until(() => calls.all.length === 2);
    calls.last.handler.onHeaders(); // the new call answers: up again
    d.pump(performance.now());
    const delayed = state.outages[0]?.delayed ?? 0;
    assert.ok(delayed >= 20, `the ~30 ms of messages due during the outage were sent late: ${delayed}`);
    assert.equal(state.counters.heldBackSends >= delayed, true);
    d.abandon();
    state.destroy();
  });

  it("RetryInfo's delay is waited for, whatever the backoff says", async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    const d = driver({ state, calls, inFlight: 1, reconnect: reconnecting(calls) });
    d.fill();
    const failedAt = performance.now();
    calls.last.end({ ...unavailable, origin: 'server', rich: { reason: 'OVERLOADED', domain: 'd', retryDelayMs: 120 } });
    await until(() => calls.all.length === 2);
    assert.ok(performance.now() - failedAt >= 119, 'not before the server asked');
    d.abandon();
    state.destroy();
  });
});

describe('transparent retry of a call the server never processed', () => {
  const refused: CallStatus = { code: 14, details: 'Stream refused by server', origin: 'transport', rich: null, pushbackMs: null, refused: true, unprocessed: true };

  it('opens the call again, re-sends its outstanding messages in order and counts no error', () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    const d = driver({ state, calls });
    d.fill();
    const first = calls.last;
    assert.deepEqual(first.written, [0, 1, 2]);
    first.end(refused);
    assert.equal(calls.all.length, 2, 'a second call');
    const second = calls.last;
    assert.deepEqual(second.written, [0, 1, 2], 'the same messages again, in order');
    second.handler.onHeaders('b:1');
    second.echo(0);
    second.echo(1);
    assert.deepEqual(second.written, [0, 1, 2, 3, 4], 'and the stream goes on');
    const c = state.counters;
    assert.equal(c.transparentRetries, 1);
    assert.equal(c.received, 2);
    assert.equal(c.mismatches, 0, 'echoes match the replayed messages');
    assert.deepEqual(c.errorsByStatus, {});
    assert.equal(c.refusedStreams, 0);
    assert.equal(c.lost + c.unanswered, 0);
    assert.equal(c.streamsOpened, 1, 'the same call, not another stream');
    assert.equal(d.up, true);
    state.destroy();
  });

  it('only once per call: refused again, it is an error', () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    driver({ state, calls });
    calls.last.end(refused);
    calls.last.end(refused);
    assert.equal(calls.all.length, 2, 'no third attempt');
    assert.equal(state.counters.transparentRetries, 1);
    assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 1 });
    assert.equal(state.counters.refusedStreams, 1);
    state.destroy();
  });

  it('after an outage with lost messages, a retried call re-sends only what is outstanding', async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    const reconnect: ReconnectOptions = { retryable: (s) => s.code === 14, maxReconnects: 3, backoff: new ConstantBackoff(1), breaker: null, reopen: async (handler) => calls.open(handler) };
    const d = driver({ state, calls, inFlight: 2, messagesPerStream: 4, reconnect });
    d.fill();
    calls.last.end({ code: 14, details: 'Connection dropped', origin: 'transport', rich: null, pushbackMs: null }); // #0 and #1 lost
    await until(() => calls.all.length === 2);
    const second = calls.last;
    for (let i = 0; i < 4; i++) second.echo(i); // 4 echoes: churn opens the next call
    assert.equal(calls.all.length, 3);
    const third = calls.last;
    assert.deepEqual(third.written, [6, 7]);
    third.end(refused);
    assert.deepEqual(calls.last.written, [6, 7], 'only the two outstanding messages');
    calls.last.echo(0);
    calls.last.echo(1);
    assert.equal(state.counters.mismatches, 0);
    assert.equal(state.counters.transparentRetries, 1);
    assert.equal(d.outstanding, 2, 'the window refilled');
    state.destroy();
  });

  it('a reopen attempt the server refused unprocessed is retried transparently; the retried call answers the attempt', async () => {
    const state = new WorkerState(false);
    state.warmEndMs = 0;
    const calls = new Calls(new PayloadFactory(16));
    const reconnect: ReconnectOptions = { retryable: (s) => s.code === 14, maxReconnects: 3, backoff: new ConstantBackoff(1), breaker: null, reopen: async (handler) => calls.open(handler) };
    const d = driver({ state, calls, inFlight: 1, reconnect });
    d.fill();
    calls.last.end({ code: 14, details: 'Connection dropped', origin: 'transport', rich: null, pushbackMs: null });
    await until(() => calls.all.length === 2);
    const reopened = calls.last;
    assert.deepEqual(reopened.written, [1]);
    reopened.end(refused); // caught by a GOAWAY before the server processed it
    assert.equal(calls.all.length, 3, 'retried at once, not after a backoff');
    assert.deepEqual(calls.last.written, [1]);
    assert.equal(d.up, false, 'still down until the retried call answers');
    calls.last.handler.onHeaders('b:1');
    assert.equal(d.up, true);
    assert.equal(state.counters.reconnects, 1, 'one reopen attempt');
    assert.equal(state.counters.transparentRetries, 1);
    assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 1 }, 'only the first failure');
    calls.last.echo(0);
    assert.equal(state.counters.mismatches, 0);
    state.destroy();
  });

  it('a refusal after response headers, or one the server may have processed, is not retried', () => {
    for (const [status, headers] of [
      [refused, true],
      [{ ...refused, unprocessed: false }, false],
    ] as const) {
      const state = new WorkerState(false);
      state.warmEndMs = 0;
      const calls = new Calls(new PayloadFactory(16));
      const d = driver({ state, calls });
      d.fill();
      if (headers) calls.last.handler.onHeaders('b:1');
      calls.last.end(status);
      assert.equal(calls.all.length, 1, `not retried (headers ${headers})`);
      assert.equal(state.counters.transparentRetries, 0);
      assert.deepEqual(state.counters.errorsByStatus, { UNAVAILABLE: 1 });
      state.destroy();
    }
  });
});
