import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateSweep, planServers, REPETITION_OVERHEAD_S, SERVER_START_S, serverKeyOf } from '../../src/plan/estimate-sweep.js';
import { resolveRunConfig } from '../../src/config/resolve-run.js';

const machine = { cpuCount: 2, platform: 'linux' };

test('one server per distinct server setting, kept alive', () => {
  assert.deepEqual(planServers(['a', 'b', 'a', 'b', 'a']).starts, [true, true, false, false, false]);
  assert.deepEqual(planServers([null, null]).starts, [false, false]);
});

test('beyond the capacity the least recently used server is stopped', () => {
  const { starts, evicts } = planServers(['a', 'b', 'a', 'c', 'b'], 2);
  assert.deepEqual(starts, [true, true, false, true, true]);
  assert.deepEqual(evicts, [null, null, null, 'b', 'a']);
});

test('server keys: window and max message size matter, client settings do not', () => {
  const base = resolveRunConfig({ window: 65535, duration: 1 }, machine);
  assert.equal(serverKeyOf(base), serverKeyOf(resolveRunConfig({ window: 65535, duration: 1, compression: 'gzip', size: 1024, streams: 8 }, machine)));
  assert.notEqual(serverKeyOf(base), serverKeyOf(resolveRunConfig({ window: '1MiB', duration: 1 }, machine)));
  assert.notEqual(serverKeyOf(base), serverKeyOf(resolveRunConfig({ window: 65535, duration: 1, maxMessageSize: '8MiB' }, machine)));
  assert.equal(serverKeyOf(resolveRunConfig({ target: '127.0.0.1:1', duration: 1 }, machine)), null);
});

test('estimate = load + per-run overhead + server starts', () => {
  const a = resolveRunConfig({ window: 65535, warmup: 0.5, duration: 1 }, machine);
  const b = resolveRunConfig({ window: '1MiB', warmup: 0.5, duration: 1 }, machine);
  const e = estimateSweep([a, b, a, b]);
  assert.equal(e.repetitions, 4);
  assert.equal(e.serverStarts, 2);
  assert.equal(e.loadSeconds, 6);
  assert.ok(Math.abs(e.seconds - (6 + 4 * REPETITION_OVERHEAD_S + 2 * SERVER_START_S)) < 1e-9);
});
