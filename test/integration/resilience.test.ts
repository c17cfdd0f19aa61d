/**
 * Resilience end to end, with real `serve` processes: a server killed and restarted under load
 * (`run --reconnect`: one outage, measured, and the load recovers), the circuit breaker, the
 * classification of injected faults matched one for one against the server's `--stats`, aborts,
 * drops, stalls, connection ageing, RetryInfo spacing the reopen attempts, and Ctrl-C during an
 * outage. Every run and server has a generous hang guard; the only time bounds asserted are the
 * ones the faults themselves guarantee (outage length around the kill, RetryInfo spacing, the
 * stall in the latency).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import { ENGINES, type EngineName } from '../../src/engine/transport.js';
import type { FaultStats } from '../../src/resilience/fault-stats.js';
import type { RunResultsFile, TimeSeriesPoint } from '../../src/types.js';
import { CLI, closedPort, runCli, startEchoServe, startServerProcess, tempDir, type CliResult, type ServerProcess } from '../helpers/cli.js';

const dir = tempDir();
/** Hang guards (never measurements). */
const RUN_TIMEOUT_MS = 40_000;
const SERVER_STOP_TIMEOUT_MS = 15_000;
const EXIT_RUN_ERRORS = 4;
const EXIT_INTERRUPTED = 130;
const FAULT_DOMAIN = 'grpc-stream-bench';

let runs = 0;

interface RunOutcome {
  result: CliResult;
  file: RunResultsFile;
  out: string;
}

/** `run` against `target` with `engine`; the results file must have been written. */
async function runAgainst(engine: EngineName, target: string, args: string[], onStart?: (child: ChildProcess) => void): Promise<RunOutcome> {
  const out = join(dir, `resilience-${engine}-${++runs}.json`);
  const result = await runCli(['run', '--target', target, '--engine', engine, '--client-cpus', 'none', '--out', out, ...args], { timeoutMs: RUN_TIMEOUT_MS, onStart });
  assert.ok(existsSync(out), `results file written; exit ${result.code}; stderr: ${result.stderr}`);
  return { result, file: JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile, out };
}

interface FaultServer {
  server: ServerProcess;
  /** SIGTERM, wait for the exit, read the --stats JSON. */
  stop(): Promise<FaultStats>;
}

/** `serve --port 0 ARGS --stats FILE`. */
async function startFaultServe(args: string[]): Promise<FaultServer> {
  const statsFile = join(dir, `faults-${++runs}.json`);
  const server = await startEchoServe([...args, '--grace-ms', '1000', '--stats', statsFile]);
  let stderr = '';
  server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    server,
    stop: async () => {
      const guard = setTimeout(() => server.child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
      const code = await server.stop();
      clearTimeout(guard);
      assert.equal(code, 0, `serve exit code; stderr: ${stderr}`);
      return JSON.parse(readFileSync(statsFile, 'utf8')) as FaultStats;
    },
  };
}

/** A run against a fresh fault server; the server is stopped (and its stats read) whatever happens. */
async function runWithFaults(engine: EngineName, serveArgs: string[], runArgs: string[]): Promise<RunOutcome & { stats: FaultStats }> {
  const fault = await startFaultServe(serveArgs);
  let outcome: RunOutcome;
  try {
    outcome = await runAgainst(engine, fault.server.target, runArgs);
  } catch (error) {
    await fault.stop().catch(() => undefined);
    throw error;
  }
  return { ...outcome, stats: await fault.stop() };
}

/** `serve --port PORT` (no faults), to be killed and restarted on the same port. */
function startServeOn(port: number, extraArgs: string[] = []): Promise<ServerProcess> {
  return startServerProcess(process.execPath, [CLI, 'serve', '--port', String(port), ...extraArgs]);
}

/** Resolves once the server's Prometheus endpoint counts a first echo (the load has started); rejects after timeoutMs. */
async function firstEcho(metricsPort: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
    const match = /^grpc_stream_bench_server_echoes_total (\d+)/m.exec(text);
    if (match && Number(match[1]) > 0) return;
    await sleep(50);
  }
  throw new Error(`the server counted no echo within ${timeoutMs} ms`);
}

function kill(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill(signal);
  });
}

const describeRun = (o: RunOutcome): string =>
  `exit ${o.result.code}; stop ${JSON.stringify(o.file.run.stop)}; counters ${JSON.stringify(o.file.run.metrics.counters)}; resilience ${JSON.stringify(o.file.run.metrics.resilience)}; stderr: ${o.result.stderr}`;

/**
 * The load while the server is killed (SIGKILL) `killAfterMs` after its first echo (the load has started) and
 * restarted on the same port `restartAfterMs` later (0: never restarted). Every server is
 * stopped before this returns.
 */
async function runThroughKill(engine: EngineName, runArgs: string[], options: { killAfterMs: number; restartAfterMs: number }): Promise<RunOutcome & { killedAt: number; backAt: number | null }> {
  const port = await closedPort();
  const metricsPort = await closedPort();
  const servers: ServerProcess[] = [await startServeOn(port, ['--prometheus', String(metricsPort)])];
  let killedAt = 0;
  let backAt: number | null = null;
  try {
    const running = runAgainst(engine, `127.0.0.1:${port}`, runArgs);
    running.catch(() => undefined); // awaited below; not unhandled while the kill is staged
    // Counted from the first echo, not from the spawn: starting the run process takes 0.5–3 s
    // depending on what else the machine is doing.
    await firstEcho(metricsPort);
    await sleep(options.killAfterMs);
    killedAt = Date.now();
    await kill(servers[0] as ServerProcess, 'SIGKILL');
    if (options.restartAfterMs > 0) {
      await sleep(Math.max(0, killedAt + options.restartAfterMs - Date.now()));
      servers.push(await startServeOn(port));
      backAt = Date.now();
    }
    return { ...(await running), killedAt, backAt };
  } finally {
    for (const server of servers) await kill(server, 'SIGKILL');
  }
}

/** The seconds of the time series before the one in which the kill made the first errors. */
function secondsBeforeFailure(points: readonly TimeSeriesPoint[]): TimeSeriesPoint[] {
  const firstFailing = points.findIndex((p) => p.errors > 0);
  return firstFailing < 0 ? [...points] : points.slice(0, firstFailing);
}

describe('a server killed under load and restarted on the same port', () => {
  // "2 s into an 8 s run" (1 s warm-up + 7 s measured): the kill comes 2 s after the server's
  // first echo; the restart 1 s after it. The new server listens 0.6–2 s after its start and the
  // outage may end a backoff later (up to ~5.3 s in), so 7 s measured leaves at least one whole
  // second after the outage to show that throughput is back.
  const KILL_AFTER_MS = 2_000;
  const RESTART_AFTER_MS = 1_000;
  const load = ['--duration', '7', '--warmup', '1', '--streams', '4', '--in-flight', '4'];

  for (const engine of ENGINES) {
    test(`${engine}: --reconnect rides out the outage: one outage of about the down time, transport errors, throughput back`, async (t) => {
      const o = await runThroughKill(engine, ['--reconnect', '--backoff-max', '300ms', ...load], { killAfterMs: KILL_AFTER_MS, restartAfterMs: RESTART_AFTER_MS });
      const { run } = o.file;
      const why = `${describeRun(o)}; server down from ${o.killedAt} to ${o.backAt} (listening again)`;
      assert.equal(o.result.code, EXIT_RUN_ERRORS, why);
      assert.equal(run.stop.reason, 'duration', why);
      const resilience = run.metrics.resilience;
      assert.ok(resilience !== undefined, why);
      assert.equal(resilience.outages.length, 1, why);
      const outage = resilience.outages[0]!;
      assert.equal(outage.ongoing, false, why);
      const outageS = (outage.endMs - outage.startMs) / 1000;
      t.diagnostic(`outage ${outageS} s (server down ${o.backAt === null ? '-' : o.backAt - o.killedAt} ms until listening again)`);
      // The server is down for at least RESTART_AFTER_MS, plus however long the new process takes
      // to listen (0.6–2 s, with the machine's load); the outage ends within a backoff (≤ 300 ms)
      // of it listening again: bounds from the measured down time, with 1 s of slack.
      const downS = ((o.backAt ?? o.killedAt) - o.killedAt) / 1000;
      assert.ok(outageS >= 0.9 && outageS <= downS + 1, `outage lasted ${outageS} s, expected 0.9 s to the down time ${downS} s + 1 s; ${why}`);
      assert.ok((run.metrics.counters.errorsByCategory.transport ?? 0) > 0, `transport errors; ${why}`);

      const points = run.timeSeries;
      const before = secondsBeforeFailure(points);
      assert.ok(before.length > 0, `at least one full second before the kill: ${JSON.stringify(points)}`);
      assert.ok(before.every((p) => p.msgsPerS > 0), `echoes in every second before the kill: ${JSON.stringify(points)}`);
      const last = points[points.length - 1]!;
      assert.equal(last.openStreams, 4, `every stream up again in the last second: ${JSON.stringify(points)}`);
      // Throughput is back: echoes in every second after the one the outage ended in (how many is
      // the machine's business, not this test's).
      const endSecond = run.timeSeriesStartMs == null ? null : Math.ceil((outage.endMs - run.timeSeriesStartMs) / 1000);
      const after = endSecond === null ? [last] : points.filter((p) => p.second > endSecond);
      assert.ok(after.length > 0, `at least one recorded second after the outage (ended in second ${endSecond}): ${JSON.stringify(points)}`);
      assert.ok(after.every((p) => p.msgsPerS > 0), `echoes in every second after the outage: ${JSON.stringify(points)}`);
    });
  }

  test('h2: without --reconnect every stream fails: all-streams-failed, exit 4', async () => {
    // No restart: every stream has failed (and the run ended) before it would come.
    const o = await runThroughKill('h2', load, { killAfterMs: KILL_AFTER_MS, restartAfterMs: 0 });
    assert.equal(o.result.code, EXIT_RUN_ERRORS, describeRun(o));
    assert.equal(o.file.run.stop.reason, 'all-streams-failed', describeRun(o));
  });
});

describe('--breaker over reopen attempts', () => {
  const serve = ['--fail-rate', '1', '--fail-status', 'UNAVAILABLE'];
  const reconnect = ['--streams', '1', '--reconnect', '--backoff-initial', '50ms', '--backoff-max', '200ms', '--duration', '4', '--warmup', '0'];

  for (const engine of ENGINES) {
    test(`${engine}: consecutive:5 opens and half-opens: the server sees ~5 failures + one trial a second; without it many more`, async (t) => {
      // Both runs at once (each its own server): only stream counts are compared, no timing.
      const [guarded, unguarded] = await Promise.all([
        runWithFaults(engine, serve, [...reconnect, '--breaker', 'consecutive:5', '--breaker-half-open-after', '1s']),
        runWithFaults(engine, serve, reconnect),
      ]);
      t.diagnostic(`server streams: ${guarded.stats.streams.total} with the breaker, ${unguarded.stats.streams.total} without`);
      const why = `${describeRun(guarded)}; server streams ${JSON.stringify(guarded.stats.streams)}`;
      assert.ok(guarded.stats.streams.total >= 6, `the breaker was reached (≥ 6 streams); ${why}`);
      assert.ok(guarded.stats.streams.total <= 14, `at most 5 + 4 trials + a few (≤ 14 streams); ${why}`);
      const states = guarded.file.run.metrics.resilience?.breakerTransitions.map((transition) => transition.state) ?? [];
      assert.ok(states.includes('open'), `an 'open' transition; ${why}`);
      assert.ok(states.includes('half-open'), `a 'half-open' transition; ${why}`);
      for (const transition of guarded.file.run.metrics.resilience?.breakerTransitions ?? []) assert.equal(typeof (transition as { worker?: unknown }).worker, 'number', why);

      assert.ok(unguarded.stats.streams.total > 14, `without --breaker: ${unguarded.stats.streams.total} streams (> 14); ${describeRun(unguarded)}`);
      assert.deepEqual(unguarded.file.run.metrics.resilience?.breakerTransitions, []);
    });
  }
});

describe('every injected rejection counted once, on both sides', () => {
  for (const engine of ENGINES) {
    test(`${engine}: 10% UNAVAILABLE/OVERLOADED over ≥ 2000 stream opens: status, reason and category match the server's --stats exactly`, async (t) => {
      const o = await runWithFaults(
        engine,
        ['--fail-rate', '0.1', '--fail-status', 'UNAVAILABLE', '--fail-reason', 'OVERLOADED', '--fault-seed', '3'],
        ['--messages-per-stream', '1', '--streams', '4', '--in-flight', '1', '--reconnect', '--backoff-initial', '1ms', '--backoff-max', '2ms', '--messages', '2500', '--warmup', '0'],
      );
      const { streams } = o.stats;
      const c = o.file.run.metrics.counters;
      const why = `${describeRun(o)}; server streams ${JSON.stringify(streams)}`;
      assert.equal(o.file.run.stop.reason, 'messages', why);
      assert.equal(o.result.code, EXIT_RUN_ERRORS, why);
      t.diagnostic(`server: ${streams.total} streams, ${streams.rejected} rejected; client: ${JSON.stringify(c.errorsByStatus)}`);
      assert.ok(streams.total >= 2000, `≥ 2000 stream opens; ${why}`);
      assert.ok(streams.rejected > 0, why);
      const overloaded = streams.rejectedBy.find((r) => r.status === 'UNAVAILABLE' && r.reason === 'OVERLOADED')?.count;
      assert.equal(overloaded, streams.rejected, why);
      assert.deepEqual(c.errorsByStatus, { UNAVAILABLE: streams.rejected }, why);
      assert.deepEqual(c.errorsByReason, { [`${FAULT_DOMAIN}/OVERLOADED`]: overloaded }, why);
      assert.deepEqual(c.errorsByCategory, { rejected: overloaded }, why);
    });
  }
});

describe('aborts, drops, stalls and connection ageing', () => {
  for (const engine of ENGINES) {
    test(`${engine}: --abort-after 3: every failure is ABORTED, category aborted, reason INJECTED_FAULT`, async () => {
      const o = await runWithFaults(engine, ['--abort-after', '3'], ['--streams', '2', '--reconnect', '--backoff-initial', '1ms', '--backoff-max', '5ms', '--duration', '1', '--warmup', '0']);
      const c = o.file.run.metrics.counters;
      const why = `${describeRun(o)}; server streams ${JSON.stringify(o.stats.streams)}`;
      assert.equal(o.file.run.stop.reason, 'duration', why);
      const aborted = c.errorsByStatus.ABORTED ?? 0;
      assert.ok(aborted > 0, why);
      assert.deepEqual(c.errorsByStatus, { ABORTED: aborted }, why);
      assert.deepEqual(c.errorsByCategory, { aborted }, why);
      assert.deepEqual(c.errorsByReason, { [`${FAULT_DOMAIN}/INJECTED_FAULT`]: aborted }, why);
      assert.ok(aborted <= o.stats.streams.aborted, `the client saw at most the aborts the server made; ${why}`);
      assert.ok(c.received > 0, why);
    });
  }

  test('h2: --drop-rate 0.2 over a duration: unanswered equals the notes the server dropped', async () => {
    const o = await runWithFaults('h2', ['--drop-rate', '0.2'], ['--duration', '2', '--warmup', '0', '--streams', '2', '--in-flight', '100', '--drain-timeout', '0.5']);
    const c = o.file.run.metrics.counters;
    const why = `${describeRun(o)}; server ${JSON.stringify({ streams: o.stats.streams, notes: o.stats.notes })}`;
    assert.equal(o.file.run.stop.reason, 'duration', why);
    assert.ok(o.stats.notes.dropped > 0, why);
    assert.equal(c.unanswered, o.stats.notes.dropped, why);
    assert.equal(c.sent - c.received, o.stats.notes.dropped, why);
  });

  test('h2: --drop-rate 0.2 with --messages: the run ends after --drain-timeout once every message is sent, unanswered = dropped', async () => {
    // In-flight above the budget: every message is sent at once, so sending has stopped and only
    // the echoes of dropped notes are missing. --timeout only bounds a hang here.
    const o = await runWithFaults('h2', ['--drop-rate', '0.2'], ['--messages', '500', '--streams', '1', '--in-flight', '1000', '--warmup', '0', '--drain-timeout', '0.5', '--timeout', '3']);
    const c = o.file.run.metrics.counters;
    const why = `${describeRun(o)}; server ${JSON.stringify({ streams: o.stats.streams, notes: o.stats.notes })}`;
    assert.equal(c.sent, 500, why);
    assert.equal(c.unanswered, o.stats.notes.dropped, why);
    assert.equal(o.file.run.stop.reason, 'messages', `a --messages run whose budget is sent should stop after the drain timeout, not wait for --timeout; ${why}`);
  });

  test('h2: --stall-every 1 --stall-ms 300 over 3 s (open loop): no errors, everything echoed, the stall shows in p99.9', async () => {
    // Open loop: latency is measured from the intended send time, so every message due during a
    // stall waits for its end (closed loop has one message per stream waiting: only p99.99 shows it).
    const o = await runWithFaults('h2', ['--stall-every', '1', '--stall-ms', '300'], ['--duration', '3', '--warmup', '0', '--streams', '2', '--rate', '2000']);
    const m = o.file.run.metrics;
    const why = `${describeRun(o)}; latency ${JSON.stringify(m.latencyUs)}; server stalls ${JSON.stringify(o.stats.stalls)}`;
    assert.equal(o.result.code, 0, why);
    assert.equal(m.errorsTotal, 0, why);
    assert.ok(m.counters.sent > 0, why);
    assert.equal(m.counters.received, m.counters.sent, why);
    assert.equal(m.counters.unanswered, 0, why);
    assert.ok(o.stats.stalls.count >= 2, why);
    assert.ok(m.latencyUs.p999 >= 200_000, `p99.9 ${m.latencyUs.p999} µs ≥ 200 ms; ${why}`);
  });

  for (const engine of ENGINES) {
    test(`${engine}: --max-connection-age 1 over 5 s with --reconnect and stream churn: nothing lost (a call caught by a GOAWAY is retried transparently), ≥ 3 connections aged out`, async () => {
      // Churn: a GOAWAY is graceful (no --max-connection-age-grace), so a long-lived stream keeps
      // its connection for ever and only new calls move to a new connection.
      const o = await runWithFaults(engine, ['--max-connection-age', '1'], ['--duration', '5', '--warmup', '0', '--streams', '2', '--reconnect', '--messages-per-stream', '100']);
      const c = o.file.run.metrics.counters;
      const why = `${describeRun(o)}; server connections ${JSON.stringify(o.stats.connections)}`;
      assert.equal(o.file.run.stop.reason, 'duration', why);
      assert.ok(o.stats.connections.agedOut >= 3, why);
      // A call opened just as the server sends GOAWAY can be refused (REFUSED_STREAM: the server
      // never processed it). Both engines retry it once, transparently (grpc-js inside the
      // library), so it is neither an error nor lost.
      assert.equal(c.lost, 0, why);
      assert.deepEqual(c.errorsByStatus, {}, why);
      assert.equal(c.refusedStreams, 0, why);
      if (engine === 'grpc-js') assert.equal(c.transparentRetries, 0, `grpc-js's own retries are not seen; ${why}`);
      assert.ok(c.received > 0, why);
    });
  }
});

describe('RetryInfo', () => {
  const serve = ['--fail-rate', '1', '--fail-status', 'UNAVAILABLE', '--retry-after', '700'];
  for (const engine of ENGINES) {
    test(`${engine}: its 700 ms delay, not the 1–5 ms backoff, spaces the reopen attempts; chat prints it`, async (t) => {
      const o = await runWithFaults(engine, serve, ['--streams', '1', '--reconnect', '--backoff-initial', '1ms', '--backoff-max', '5ms', '--duration', '3', '--warmup', '0']);
      const why = `${describeRun(o)}; server streams ${JSON.stringify(o.stats.streams)}`;
      t.diagnostic(`server streams: ${o.stats.streams.total}`);
      assert.ok(o.stats.streams.total >= 2, `the stream was reopened; ${why}`);
      assert.ok(o.stats.streams.total <= 7, `at most 3 s / 0.7 s + 2 streams; ${why}`);
      assert.equal(o.file.run.metrics.counters.errorsByStatus.UNAVAILABLE, o.file.run.metrics.counters.errorsByCategory.rejected, why);

      const fault = await startFaultServe(serve);
      try {
        const chat = await runCli(['chat', '--target', fault.server.target, '--engine', engine], { timeoutMs: RUN_TIMEOUT_MS });
        assert.equal(chat.code, 3, `UNAVAILABLE exits 3; stderr: ${chat.stderr}`);
        assert.match(chat.stderr, /UNAVAILABLE/);
        assert.match(chat.stderr, /grpc-stream-bench\/INJECTED_FAULT/);
        assert.match(chat.stderr, /retry after 700 ms/);
      } finally {
        await fault.stop();
      }
    });
  }
});

describe('Ctrl-C during an outage', () => {
  for (const engine of ENGINES) {
    test(`${engine}: keeps the results with the outage, marked ongoing; stop reason interrupted, exit 130`, async () => {
      const port = await closedPort();
      const server = await startServeOn(port);
      try {
        let child: ChildProcess | undefined;
        const running = runAgainst(engine, `127.0.0.1:${port}`, ['--reconnect', '--backoff-max', '300ms', '--duration', '20', '--warmup', '0', '--streams', '2'], (c) => (child = c));
        running.catch(() => undefined); // awaited below
        await sleep(2_500);
        await kill(server, 'SIGKILL');
        await sleep(1_500);
        child?.kill('SIGINT');
        const o = await running;
        const why = describeRun(o);
        assert.equal(o.result.code, EXIT_INTERRUPTED, why);
        assert.equal(o.file.run.stop.reason, 'interrupted', why);
        const outages = o.file.run.metrics.resilience?.outages ?? [];
        assert.equal(outages.length, 1, why);
        assert.equal(outages[0]!.ongoing, true, why);
        assert.ok(outages[0]!.endMs > outages[0]!.startMs, why);
        assert.ok(o.file.run.metrics.counters.received > 0, why);
      } finally {
        await kill(server, 'SIGKILL');
      }
    });
  }
});
