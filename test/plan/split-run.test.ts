import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { splitEvenly, splitRun } from '../../src/plan/split-run.js';

test('splitEvenly keeps the total and differs by at most one', () => {
  assert.deepEqual(splitEvenly(10, 3), [4, 3, 3]);
  assert.deepEqual(splitEvenly(2, 4), [1, 1, 0, 0]);
  assert.deepEqual(splitEvenly(8, 2), [4, 4]);
});

test('streams, connections, rate and messages are spread over workers', () => {
  const config = resolveRunConfig({ workers: 3, connections: 4, streams: 10, rate: 1000, messages: 100, target: '127.0.0.1:1' }, { cpuCount: 2, platform: 'linux' });
  const tasks = splitRun(config, '127.0.0.1:1');
  assert.deepEqual(tasks.map((t) => t.streams), [4, 3, 3]);
  assert.deepEqual(tasks.map((t) => t.connections), [2, 1, 1]);
  assert.deepEqual(tasks.map((t) => t.firstStream), [0, 4, 7]);
  assert.deepEqual(tasks.map((t) => t.rate), [400, 300, 300]);
  assert.deepEqual(tasks.map((t) => t.messages), [40, 30, 30]);
  assert.ok(tasks.every((t) => t.totalStreams === 10 && t.target === '127.0.0.1:1'));
});
