/**
 * run() and sweep() load in-process, against serve() started in this process. They import the
 * built package (dist/, made by `npm test`'s build step), as a user's code does: the load runs
 * in piscina worker threads, and under Node 20 tsx does not register its loader in worker
 * threads, so the workers of the sources (.ts) could not be loaded from here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check, ConfigError, report, run, serve, sweep, TargetError, type ServeHandle } from '../../dist/index.js';
import { closedPort, runCli } from '../helpers/cli.js';

let server: ServeHandle;
before(async () => {
  server = await serve({ port: 0 });
});
after(async () => {
  await server.close();
});

const signalListeners = (): number => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');

describe('run()', () => {
  it('a short run against serve() returns a results document with echoes, and installs no signal handler', async () => {
    const before = signalListeners();
    const pending = run({ target: server.target, duration: 0.5, warmup: 0.2, streams: 2 });
    assert.equal(signalListeners(), before, 'no SIGINT/SIGTERM handler while running');
    const results = await pending;
    assert.equal(signalListeners(), before);
    assert.equal(results.schema, 'grpc-stream-bench/results');
    assert.equal(results.kind, 'run');
    assert.equal(results.environment.node, process.version);
    const { config, metrics, stop } = results.run;
    assert.equal(config.target, server.target);
    assert.equal(config.streams, 2);
    assert.equal(config.durationS, 0.5);
    assert.equal(config.warmupS, 0.2);
    assert.equal(config.inFlight, 1, 'CLI default');
    assert.equal(config.engine, 'h2', 'CLI default');
    assert.equal(stop.reason, 'duration');
    assert.ok(metrics.counters.received > 0, 'echoes received');
    assert.equal(metrics.errorsTotal, 0);
    assert.equal(metrics.latencyUs.count, metrics.counters.received);
    assert.ok(metrics.latencyUs.p99 > 0 && metrics.latencyUs.p50 <= metrics.latencyUs.p99);

    // The document feeds the other functions as it is.
    const markdown = await report({ files: [results] });
    assert.match(markdown, /streams=2/);
    const verdict = await check({ thresholds: ['errors == 0'], results: [results] });
    assert.equal(verdict.passed, true);
    assert.equal(verdict.exitCode, 0);
  });

  it('onProgress reports every second; an aborted signal stops the run early and keeps what was measured', async () => {
    const controller = new AbortController();
    const seconds: number[] = [];
    const started = performance.now();
    const results = await run({
      target: server.target,
      duration: 20,
      warmup: 0.1,
      streams: 1,
      signal: controller.signal,
      onProgress: (progress) => {
        seconds.push(progress.second);
        if (progress.received > 0) controller.abort();
      },
    });
    assert.ok(performance.now() - started < 10_000, 'stopped long before the 20 s duration');
    assert.deepEqual(seconds.slice(0, 1), [1]);
    assert.equal(results.run.stop.reason, 'interrupted');
    assert.ok(results.run.metrics.counters.received > 0);
  });

  it('a bad option throws the ConfigError the CLI reports, exit code 2', async () => {
    const cli = await runCli(['run', '--target', server.target, '--compression', 'brotli']);
    assert.equal(cli.code, 2);
    const cliMessage = cli.stderr.trim().replace(/^grpc-stream-bench: /, '');
    await assert.rejects(run({ target: server.target, compression: 'brotli' as never }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.message, cliMessage);
      assert.equal(error.message, '--compression must be one of identity, deflate, gzip, got "brotli"');
      return true;
    });
    await assert.rejects(run({ target: server.target, streams: 1, connections: 2 }), {
      name: 'ConfigError',
      message: '--streams (1) must be at least --connections (2): each connection carries at least one stream',
    });
  });

  it('an unreachable target throws TargetError, exit code 3', async () => {
    const port = await closedPort();
    await assert.rejects(run({ target: `127.0.0.1:${port}`, duration: 0.2, warmup: 0 }), (error: unknown) => {
      assert.ok(error instanceof TargetError, String(error));
      assert.equal(error.exitCode, 3);
      return true;
    });
  });
});

describe('sweep()', () => {
  it('sweeps a profile given as a document, with overrides, against serve()', async () => {
    const file = await sweep({
      profile: { repeat: 1, settings: { streams: 2, warmup: 0, duration: 0.3 }, axes: { compression: ['identity', 'gzip'], size: [16], window: [65535] } },
      set: { streams: 1 },
      target: server.target,
      seed: 7,
    });
    assert.equal(file.kind, 'sweep');
    assert.equal(file.profile.name, 'inline');
    assert.equal(file.seed, 7);
    assert.equal(file.interrupted, false);
    assert.deepEqual(file.cells.map((c) => c.id), ['compression=identity,size=16,window=65535', 'compression=gzip,size=16,window=65535']);
    assert.ok(file.cells.every((c) => c.config.streams === 1 && c.config.target === server.target));
    assert.equal(file.repetitions.length, 2);
    assert.ok(file.repetitions.every((r) => r.status === 'completed' && (r.run?.metrics.counters.received ?? 0) > 0));
  });
});
