import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { backendImbalancePct, mergeBackends } from '../../src/stats/aggregate-backends.js';
import { initHistograms, summarizeEncoded } from '../../src/stats/histogram.js';
import type { WorkerBackend } from '../../src/types.js';
import { encodeValues } from '../helpers/synthetic-results.js';

before(() => initHistograms());

function part(backend: string, values: number[], extra: Partial<WorkerBackend> = {}): WorkerBackend {
  return { backend, streamsOpened: 2, received: values.length, receivedInWindow: values.length, errorsByStatus: {}, histogram: encodeValues(values), ...extra };
}

test('per-backend figures merge across workers by backend key, exactly like the totals', () => {
  const w0 = [part('b:2', [100, 200, 300]), part('a:1', [50], { errorsByStatus: { UNAVAILABLE: 1 } })];
  const w1 = [part('a:1', [60, 70], { errorsByStatus: { UNAVAILABLE: 2, INTERNAL: 1 } })];
  const merged = mergeBackends([w0, w1, undefined], 2);
  assert.deepEqual(merged.metrics.map((m) => m.backend), ['a:1', 'b:2']);
  const a = merged.metrics[0];
  assert.equal(a?.streamsOpened, 4);
  assert.equal(a?.received, 3);
  assert.equal(a?.msgsPerS, 1.5);
  assert.deepEqual(a?.errorsByStatus, { UNAVAILABLE: 3, INTERNAL: 1 });
  assert.equal(a?.latencyUs.count, 3);
  assert.deepEqual(summarizeEncoded([merged.histograms['a:1'] as string]), a?.latencyUs);
  assert.deepEqual(merged.metrics[1]?.latencyUs, summarizeEncoded([encodeValues([100, 200, 300])]));
});

test('imbalance is (max − min) / mean of msgs/s in %; null below two backends or without throughput', () => {
  assert.equal(backendImbalancePct([{ msgsPerS: 90 }, { msgsPerS: 100 }, { msgsPerS: 110 }]), 20);
  assert.equal(backendImbalancePct([{ msgsPerS: 100 }, { msgsPerS: 100 }]), 0);
  assert.equal(backendImbalancePct([{ msgsPerS: 0 }, { msgsPerS: 200 }]), 200);
  assert.equal(backendImbalancePct([{ msgsPerS: 100 }]), null);
  assert.equal(backendImbalancePct(undefined), null);
  assert.equal(backendImbalancePct([{ msgsPerS: 0 }, { msgsPerS: 0 }]), null);
});
