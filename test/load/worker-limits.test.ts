import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchError } from '../../src/errors.js';
import { explainWorkerFailure, workerResourceLimits } from '../../src/load/worker-limits.js';

test('resource limits carry only what was set', () => {
  assert.equal(workerResourceLimits(undefined), undefined);
  assert.equal(workerResourceLimits({ heapMiB: null, youngMiB: null }), undefined);
  assert.deepEqual(workerResourceLimits({ heapMiB: 160, youngMiB: null }), { maxOldGenerationSizeMb: 160 });
  assert.deepEqual(workerResourceLimits({ heapMiB: null, youngMiB: 96 }), { maxYoungGenerationSizeMb: 96 });
});

test('an out-of-memory worker is explained; other failures pass through', () => {
  const oom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });
  const worker = { workerIndex: 1, streams: 5000, connections: 10 };
  const capped = explainWorkerFailure(oom, worker, { heapMiB: 64, youngMiB: null });
  assert.ok(capped instanceof BenchError);
  assert.equal(capped.message, 'worker 1 ran out of memory: its V8 heap reached --worker-heap 64 MiB with 5000 streams on 10 connections, and the run was stopped; raise --worker-heap (or leave it unset), or spread the streams over more --workers');
  const uncapped = explainWorkerFailure(oom, worker, undefined);
  assert.ok(uncapped instanceof BenchError);
  assert.match(uncapped.message, /reached V8's default heap limit with 5000 streams .*; spread the streams over more --workers or lower --streams$/);
  const young = explainWorkerFailure(oom, worker, { heapMiB: null, youngMiB: 256 });
  assert.match((young as Error).message, /reached V8's default heap limit \(with --worker-young 256 MiB\) with 5000 streams/);
  const other = new Error('connect ECONNREFUSED');
  assert.equal(explainWorkerFailure(other, worker, { heapMiB: 64, youngMiB: null }), other);
});
