import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createFaultInjector } from '../../src/resilience/fault-injector.js';
import { resolveFaultOptions } from '../../src/resilience/fault-options.js';
import { createFaultPlan } from '../../src/resilience/fault-plan.js';
import { decodeRichStatus } from '../../src/resilience/rich-status.js';

test('rejections follow the plan of the seed, are counted, and carry ErrorInfo and RetryInfo', () => {
  const options = resolveFaultOptions({ 'fail-rate': '0.3', 'fail-reason': 'OVERLOADED', 'retry-after': '1500', 'fault-seed': '11' });
  const faults = createFaultInjector(options);
  const plan = createFaultPlan({ seed: 11, failRate: 0.3, dropRate: 0, stall: null });
  let rejected = 0;
  for (let k = 0; k < 100; k++) {
    const failure = faults.admitStream();
    assert.equal(failure !== null, plan.rejectNextStream(), `stream ${k}`);
    if (failure === null) continue;
    rejected++;
    assert.equal(failure.code, 14);
    assert.equal(failure.details, 'injected fault: OVERLOADED');
    assert.deepEqual(decodeRichStatus(failure.statusDetails), { reason: 'OVERLOADED', domain: 'grpc-stream-bench', retryDelayMs: 1500 });
  }
  const stats = faults.stop();
  assert.equal(faults.perNote, false);
  assert.deepEqual(stats.streams, { total: 100, accepted: 100 - rejected, rejected, rejectedBy: [{ status: 'UNAVAILABLE', reason: 'OVERLOADED', count: rejected }], aborted: 0 });
});

test('aborts and drops are counted; an abort carries ErrorInfo without RetryInfo', () => {
  const faults = createFaultInjector(resolveFaultOptions({ 'abort-after': '3', 'drop-rate': '0.5' }));
  assert.equal(faults.perNote, true);
  const abort = faults.abortStream();
  assert.equal(abort?.code, 10);
  assert.equal(abort?.details, 'injected fault: INJECTED_FAULT (stream aborted after 3 echoes)');
  assert.deepEqual(decodeRichStatus(abort?.statusDetails ?? Buffer.alloc(0)), { reason: 'INJECTED_FAULT', domain: 'grpc-stream-bench', retryDelayMs: null });
  let dropped = 0;
  for (let n = 0; n < 1000; n++) if (faults.dropNote()) dropped++;
  const stats = faults.stop();
  assert.equal(stats.streams.aborted, 1);
  assert.equal(stats.notes.dropped, dropped);
  assert.ok(dropped > 400 && dropped < 600, `dropped ${dropped} of 1000`);
});

test('without --abort-after there is nothing to abort with', () => {
  const faults = createFaultInjector(resolveFaultOptions({ 'drop-rate': '0.1' }));
  assert.equal(faults.abortStream(), null);
  assert.equal(faults.stop().streams.aborted, 0);
});

test('stalls: held listeners run when the stall ends; stop ends a stall in progress and counts its time', async () => {
  // The stall timers are unref'd (the server's sockets keep a server alive); here a timer does.
  const keepAlive = setInterval(() => undefined, 1_000);
  const faults = createFaultInjector(resolveFaultOptions({ 'stall-every': '0.05', 'stall-ms': '30' }));
  try {
    assert.equal(faults.isStalled(), false);
    let ranAtOnce = false;
    faults.afterStall(() => (ranAtOnce = true));
    assert.equal(ranAtOnce, true);
    const deadline = Date.now() + 5_000; // a hang guard
    while (!faults.isStalled() && Date.now() < deadline) await sleep(2);
    assert.equal(faults.isStalled(), true);
    const released = new Promise<boolean>((resolve) => faults.afterStall(() => resolve(faults.isStalled())));
    assert.equal(await released, false);
    while (!faults.isStalled() && Date.now() < deadline) await sleep(2);
    let releasedByStop = false;
    faults.afterStall(() => (releasedByStop = true));
    const stats = faults.stop();
    assert.equal(releasedByStop, true);
    assert.equal(faults.isStalled(), false);
    assert.ok(stats.stalls.count >= 2, `stalls ${stats.stalls.count}`);
    // At least the first, whole 30 ms stall (a timer may fire up to ~1 ms early against performance.now()).
    assert.ok(stats.stalls.totalMs >= 28, `stalled ${stats.stalls.totalMs} ms`);
  } finally {
    faults.stop();
    clearInterval(keepAlive);
  }
});
