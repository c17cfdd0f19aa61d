/**
 * Stream churn (`run --messages-per-stream N`) on every client engine: each RouteChat call gets
 * exactly N echoes, is half-closed and ends OK, and the next call opens on the same connection.
 * Checked at the server side with the raw fixture's `--report-streams` lines
 * (`stream echoes=K rstCode=C`, one per finished call) and in the results counters.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENGINES, type EngineName } from '../../src/engine/transport.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, serverPool, startEchoServe, startRawServer, tempDir, type CliResult, type ServerProcess } from '../helpers/cli.js';

const dir = tempDir();
/** Hang guards (never measurements). */
const CLI_TIMEOUT_MS = 30_000;
const REPORTS_TIMEOUT_MS = 5_000;

const { shared, stopAll } = serverPool();
after(stopAll);

let runs = 0;
async function run(engine: EngineName, target: string, args: string[]): Promise<{ result: CliResult; file: RunResultsFile }> {
  const out = join(dir, `churn-${engine}-${++runs}.json`);
  const result = await runCli(['run', '--target', target, '--engine', engine, '--client-cpus', 'none', '--out', out, ...args], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(result.code, 0, `exit code; stderr: ${result.stderr}`);
  assert.ok(existsSync(out), 'results file written');
  return { result, file: JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile };
}

interface CallReport {
  echoes: number;
  rstCode: number;
}

/** The fixture's per-call reports from line `from` on. */
function callReports(server: ServerProcess, from: number): CallReport[] {
  const reports: CallReport[] = [];
  for (const line of server.lines.slice(from)) {
    const match = /^stream echoes=(\d+) rstCode=(\d+)$/.exec(line);
    if (match) reports.push({ echoes: Number(match[1]), rstCode: Number(match[2]) });
  }
  return reports;
}

/**
 * Waits until the fixture has reported calls carrying `echoes` echoes in all (its 'close' events
 * may trail the client's exit by a moment); a hang guard, then returns what it has.
 */
async function reportsFor(server: ServerProcess, from: number, echoes: number): Promise<CallReport[]> {
  const deadline = Date.now() + REPORTS_TIMEOUT_MS;
  for (;;) {
    const reports = callReports(server, from);
    if (reports.reduce((sum, r) => sum + r.echoes, 0) >= echoes || Date.now() > deadline) return reports;
    await sleep(20);
  }
}

/**
 * Per logical stream, the calls at the server: every one has exactly `perCall` echoes except that
 * each logical stream's last call may have fewer (at least 1), so at most `streams` short calls.
 * Returns how many calls were short.
 */
function expectCallsOf(reports: CallReport[], perCall: number, streams: number, totalEchoes: number): number {
  assert.equal(
    reports.reduce((sum, r) => sum + r.echoes, 0),
    totalEchoes,
    'echoes at the server = echoes the client received',
  );
  for (const r of reports) {
    assert.ok(r.echoes >= 1 && r.echoes <= perCall, `a call had ${r.echoes} echoes (1..${perCall} expected)`);
    assert.equal(r.rstCode, 0, 'every call half-closed and ended OK, none cancelled');
  }
  const short = reports.filter((r) => r.echoes < perCall).length;
  assert.ok(short <= streams, `${short} calls with fewer than ${perCall} echoes; at most one per stream (${streams}) expected`);
  return short;
}

for (const engine of ENGINES) {
  describe(`engine ${engine}: --messages-per-stream`, () => {
    test('--messages-per-stream 10 --messages 400 --streams 4: 40 calls of exactly 10 echoes at the server', async (t) => {
      const server = await shared('report', () => startRawServer('echo', '--report-streams'));
      const from = server.lines.length;
      const { file } = await run(engine, server.target, ['--messages-per-stream', '10', '--streams', '4', '--in-flight', '4', '--messages', '400', '--warmup', '0', '--verify']);
      const m = file.run.metrics;
      assert.equal(file.run.config.messagesPerStream, 10);
      assert.equal(m.counters.sent, 400);
      assert.equal(m.counters.received, 400);
      assert.equal(m.errorsTotal, 0);
      assert.equal(m.counters.mismatches, 0);
      assert.equal(m.counters.streamsEndedEarly, 0);
      assert.deepEqual(m.counters.errorsByStatus, {});

      const reports = await reportsFor(server, from, m.counters.receivedTotal);
      // Each stream has a budget of 100 measured messages; stream-driver rotates after every 10th
      // echo while budget is left, so 10 calls of 10 and no 11th. A message sent before the
      // measured window opened (receivedTotal > received) does not count against the budget and
      // shifts the boundaries: that stream then ends with one short call.
      const short = expectCallsOf(reports, 10, 4, m.counters.receivedTotal);
      if (m.counters.receivedTotal === m.counters.received) {
        assert.equal(short, 0);
        assert.equal(reports.length, 40);
      } else {
        // Each short call is a stream that sent at least one message before the window.
        assert.ok(short <= m.counters.receivedTotal - m.counters.received, `${short} short calls`);
      }

      assert.ok(m.counters.streamsOpened > 0, 'calls opened in the window are counted');
      assert.ok(m.counters.streamsOpened <= reports.length);
      assert.ok(m.setupLatencyUs.count > 0, 'set-up latency recorded');
      assert.equal(m.setupLatencyUs.count, m.counters.streamsOpened, 'one set-up latency per call opened in the window');
      assert.ok(m.streamsOpenedPerS > 0);

      // With --warmup 0 every call is opened inside the measured window (the worker waits out
      // timers that fire early against performance.now() before it starts).
      assert.equal(m.counters.streamsOpened, reports.length);
    });

    test('--duration with a warm-up: every call but the last of each stream has exactly 7 echoes', async () => {
      const server = await shared('report', () => startRawServer('echo', '--report-streams'));
      const from = server.lines.length;
      const { file } = await run(engine, server.target, ['--messages-per-stream', '7', '--streams', '3', '--in-flight', '3', '--warmup', '0.2', '--duration', '0.5', '--verify']);
      const m = file.run.metrics;
      assert.equal(m.errorsTotal, 0);
      assert.equal(m.counters.mismatches, 0);
      assert.equal(m.counters.unanswered, 0);
      assert.ok(m.counters.received > 0);
      const reports = await reportsFor(server, from, m.counters.receivedTotal);
      expectCallsOf(reports, 7, 3, m.counters.receivedTotal);
      assert.ok(reports.length >= m.counters.receivedTotal / 7, `${reports.length} calls for ${m.counters.receivedTotal} echoes`);
      // Calls opened during the warm-up are not counted; those opened in the window are.
      assert.ok(m.counters.streamsOpened > 0 && m.counters.streamsOpened < reports.length);
      assert.equal(m.setupLatencyUs.count, m.counters.streamsOpened);
    });

    test('against our grpc-js echo server: the counters add up, no error', async () => {
      const server = await shared('serve', () => startEchoServe());
      const { file } = await run(engine, server.target, ['--messages-per-stream', '10', '--streams', '4', '--in-flight', '4', '--messages', '400', '--warmup', '0', '--verify']);
      const m = file.run.metrics;
      assert.equal(m.counters.sent, 400);
      assert.equal(m.counters.received, 400);
      assert.equal(m.counters.unanswered, 0);
      assert.equal(m.counters.mismatches, 0);
      assert.equal(m.counters.streamsEndedEarly, 0);
      assert.deepEqual(m.counters.errorsByStatus, {});
      assert.equal(m.errorsTotal, 0);
      assert.equal(m.latencyUs.count, 400);
      // 10 calls per stream of 100 measured messages, all opened inside the window.
      assert.equal(m.counters.streamsOpened, 40);
      assert.equal(m.setupLatencyUs.count, m.counters.streamsOpened);
    });

    test('set-up latency is what the server makes it: headers 50 ms late → p50 ≥ 40 ms', async () => {
      const server = await shared('delay', () => startRawServer('delay-headers', '50', '--report-streams'));
      const from = server.lines.length;
      const { file } = await run(engine, server.target, ['--messages-per-stream', '5', '--streams', '2', '--in-flight', '5', '--messages', '40', '--warmup', '0', '--verify']);
      const m = file.run.metrics;
      assert.equal(m.counters.received, 40);
      assert.equal(m.errorsTotal, 0);
      const reports = await reportsFor(server, from, m.counters.receivedTotal);
      expectCallsOf(reports, 5, 2, m.counters.receivedTotal);
      assert.ok(m.setupLatencyUs.count > 0);
      assert.ok(m.setupLatencyUs.p50 >= 40_000, `set-up p50 ${m.setupLatencyUs.p50} µs`);
    });
  });
}
