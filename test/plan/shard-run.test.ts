import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRunConfig, type RunInput } from '../../src/config/resolve-run.js';
import { ConfigError } from '../../src/errors.js';
import { intendedTime, streamSchedule } from '../../src/load/pacer.js';
import { shardPart, shardView, splitShardRun } from '../../src/plan/shard-run.js';
import { splitEvenly, splitRun } from '../../src/plan/split-run.js';
import type { RunConfig, WorkerTask } from '../../src/types.js';

const machine = { cpuCount: 2, platform: 'linux' };
const TARGET = '127.0.0.1:1';
const configOf = (input: RunInput): RunConfig => resolveRunConfig({ target: TARGET, ...input }, machine);

/** Per global stream index: its worker's schedule and budget, computed as the worker computes them. */
function perStream(tasks: readonly WorkerTask[]): Map<number, { sends: number[]; budget: number | null }> {
  const streams = new Map<number, { sends: number[]; budget: number | null }>();
  for (const task of tasks) {
    const budgets = task.messages === null ? null : splitEvenly(task.messages, task.streams);
    for (let i = 0; i < task.streams; i++) {
      const index = task.firstStream + i;
      assert.ok(!streams.has(index), `stream ${index} is driven twice`);
      const schedule = task.rate === null ? null : streamSchedule(1_000, task.rate * (task.totalStreams / task.streams), task.totalStreams, index);
      const sends = schedule === null ? [] : [0, 1, 2, 17, 999].map((k) => intendedTime(schedule, k));
      streams.set(index, { sends, budget: budgets?.[i] ?? null });
    }
  }
  return streams;
}

const cases: { name: string; input: RunInput; shards: number }[] = [
  { name: '1 shard is the whole run', input: { workers: 2, connections: 4, streams: 10, rate: 1000, messages: 100 }, shards: 1 },
  { name: 'even split', input: { workers: 2, connections: 4, streams: 8, rate: 800, messages: 80 }, shards: 2 },
  { name: 'remainders go to the first shards', input: { workers: 3, connections: 5, streams: 11, rate: 1234.5, messages: 101 }, shards: 3 },
  { name: 'more shards than workers', input: { workers: 1, connections: 4, streams: 7, rate: 700, messages: 50 }, shards: 4 },
  { name: 'one stream and connection per shard', input: { workers: 1, connections: 5, streams: 5, rate: 3, messages: 5 }, shards: 5 },
  { name: 'closed loop, duration', input: { workers: 4, connections: 8, streams: 64 }, shards: 3 },
  { name: 'many shards', input: { workers: 8, connections: 64, streams: 1000, rate: 100_000, messages: 123_457 }, shards: 7 },
];

for (const { name, input, shards } of cases) {
  test(`union of ${shards} shards == single process: ${name}`, () => {
    const config = configOf(input);
    const whole = splitRun(config, TARGET);
    const parts = Array.from({ length: shards }, (_, k) => shardPart(config, { index: k + 1, count: shards }));
    const tasks = parts.flatMap((part) => splitShardRun(config, part, TARGET));

    // Streams: contiguous ranges that partition 0..streams-1, in shard order, even shares.
    let next = 0;
    for (const part of parts) {
      assert.equal(part.streams.first, next);
      next += part.streams.count;
      assert.ok(part.streams.count >= 1 && part.connections >= 1 && part.workers >= 1 && part.workers <= part.connections);
    }
    assert.equal(next, config.streams);
    assert.deepEqual(parts.map((p) => p.streams.count), splitEvenly(config.streams, shards));
    // Connections and workers.
    assert.equal(parts.reduce((n, p) => n + p.connections, 0), config.connections);
    assert.equal(tasks.reduce((n, t) => n + t.connections, 0), config.connections);
    assert.deepEqual(parts.map((p) => p.firstConnection), parts.map((_, k) => splitEvenly(config.connections, shards).slice(0, k).reduce((a, b) => a + b, 0)));
    assert.deepEqual(parts.map((p) => p.workers), splitEvenly(config.workers, shards).map((w) => Math.max(1, w)));
    // Every shard task sees the whole run's stream count (open-loop phases).
    assert.ok(tasks.every((t) => t.totalStreams === config.streams));
    // Rate: the shards' rates add up to the run's, each is the rate of its streams.
    if (config.rate !== null) {
      const total = parts.reduce((n, p) => n + (p.rate ?? 0), 0);
      assert.ok(Math.abs(total - config.rate) < 1e-6, `rates add up to ${total}`);
      for (const p of parts) assert.ok(Math.abs((p.rate ?? 0) - (config.rate * p.streams.count) / config.streams) < 1e-9);
    } else {
      assert.ok(parts.every((p) => p.rate === null));
    }
    // Messages: shard budgets add up to --messages.
    if (config.messages !== null) assert.equal(tasks.reduce((n, t) => n + (t.messages ?? 0), 0), config.messages);

    // Per stream index: the same send times and the same budget as in one process.
    const single = perStream(whole);
    const sharded = perStream(tasks);
    assert.equal(sharded.size, config.streams);
    for (const [index, expected] of single) {
      const got = sharded.get(index);
      assert.ok(got, `stream ${index} is missing`);
      assert.equal(got.budget, expected.budget, `budget of stream ${index}`);
      assert.equal(got.sends.length, expected.sends.length);
      got.sends.forEach((t, k) => assert.ok(Math.abs(t - (expected.sends[k] as number)) < 1e-6, `stream ${index} send ${k}: ${t} vs ${expected.sends[k]}`));
    }
  });
}

test('shard 2/3 of 10 streams: streams 4–6, rate and budgets of exactly those', () => {
  const config = configOf({ workers: 3, connections: 4, streams: 10, rate: 1000, messages: 25 });
  const part = shardPart(config, { index: 2, count: 3 });
  assert.deepEqual(part.streams, { first: 4, count: 3 });
  assert.equal(part.connections, 1);
  assert.equal(part.firstConnection, 2);
  assert.equal(part.workers, 1);
  assert.equal(part.rate, 300);
  // Global budgets: 3,3,3,3,3,2,2,2,2,2 → streams 4..6 get 3,2,2.
  assert.deepEqual(part.budgets, [3, 2, 2]);
  const [task] = splitShardRun(config, part, TARGET);
  assert.equal(task?.firstStream, 4);
  assert.equal(task?.messages, 7);
  assert.equal(task?.rate, 300);
  const view = shardView(config, part);
  assert.equal(view.rate, 300);
  assert.equal(view.streams, 3);
  assert.equal(view.messages, 7);
});

test('too few streams or connections for the shards: ConfigError naming the numbers', () => {
  assert.throws(
    () => shardPart(configOf({ connections: 2, streams: 8 }), { index: 1, count: 3 }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === '--shard 1/3: the run has 2 connections, too few for 3 shards; every shard needs at least one stream and one connection (give --connections and --streams of at least 3, or fewer shards)',
  );
  assert.throws(
    () => shardPart(configOf({ streams: 2 }), { index: 2, count: 4 }),
    (e: unknown) => e instanceof ConfigError && /the run has 2 streams and 1 connection, too few for 4 shards/.test(e.message),
  );
});
