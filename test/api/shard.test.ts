/**
 * run() and sweep() take the shard options as the CLI takes its flags. They import the built
 * package (dist/), as test/api/run.test.ts explains.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, run, serve, sweep, type ServeHandle } from '../../dist/index.js';

let server: ServeHandle;
before(async () => {
  server = await serve({ port: 0 });
});
after(async () => {
  await server.close();
});

test('run({ shard, runId, startAt }) drives its part and records it', async () => {
  const startAt = Date.now() + 1_500;
  const results = await run({ target: server.target, shard: '2/2', runId: 'api-shard', startAt: new Date(startAt), streams: 3, connections: 2, warmup: 0, duration: 0.3 });
  const { config, shard, metrics } = results.run;
  assert.equal(config.streams, 3, 'the whole run in the config');
  assert.ok(shard);
  assert.equal(shard.index, 2);
  assert.equal(shard.count, 2);
  assert.equal(shard.runId, 'api-shard');
  assert.equal(shard.plannedStartMs, startAt);
  assert.deepEqual(shard.streams, { first: 2, count: 1 });
  assert.ok(shard.actualStartMs >= startAt);
  assert.ok(metrics.counters.received > 0);
});

test('a start up to 1 s in the past is accepted: the run starts at once and records how late', async () => {
  const startAt = Date.now() - 500;
  const results = await run({ target: server.target, startAt, warmup: 0, duration: 0.2 });
  const shard = results.run.shard;
  assert.ok(shard);
  assert.equal(shard.count, 1);
  assert.equal(shard.plannedStartMs, startAt);
  assert.equal(shard.late, true);
  assert.ok((shard.lateByMs ?? 0) >= 500, `late by ${shard.lateByMs} ms`);
  assert.equal(shard.actualStartMs - startAt, shard.lateByMs);
  assert.ok(results.run.metrics.counters.received > 0);
});

test('bad shard options throw the CLI messages', async () => {
  await assert.rejects(run({ target: server.target, shard: '1/2' }), (e: unknown) => e instanceof ConfigError && /--run-id is required with --shard 1\/2/.test(e.message));
  await assert.rejects(run({ target: server.target, shard: '1/2', runId: 'x', startAt: 'soon' }), (e: unknown) => e instanceof ConfigError && /--start-at must be an ISO 8601 time/.test(e.message));
  await assert.rejects(
    sweep({ profile: { description: 't', settings: { duration: 0.2 }, axes: { compression: ['identity'], size: [16], window: ['64KiB'] } }, target: server.target, shard: '1/2', runId: 'x' }),
    (e: unknown) => e instanceof ConfigError && /sweep --shard 1\/2 needs --start-at TIME/.test(e.message),
  );
});

test('a slotted sweep counts its ETA to the end of its last slot, waits included', async () => {
  const startAt = Date.now() + 1_000;
  const etas: number[] = [];
  const results = await sweep({
    profile: { description: 't', repeat: 1, settings: { warmup: 0, duration: 0.2, drainTimeout: 0.5 }, axes: { compression: ['identity'], size: [16, 32], window: ['64KiB'] } },
    target: server.target,
    shard: '1/1',
    runId: 'api-eta',
    startAt,
    onProgress: (p) => etas.push(p.etaS),
  });
  assert.equal(results.repetitions.length, 2);
  // Two slots of 0 + 0.2 s + 2 s set-up + 0.5 s drain + 2 s close = 9.4 s from the planned start,
  // which is about 1 s away when the first repetition is announced; a cost model without slots
  // would say well under a second per repetition.
  const first = etas[0] ?? 0;
  assert.ok(first >= 9 && first <= 11.5, `ETA at the first repetition: ${first} s`);
  assert.ok(etas.every((eta, i) => i === 0 || eta <= (etas[i - 1] ?? Infinity)), `ETA never rises: ${etas.join(', ')}`);
});
