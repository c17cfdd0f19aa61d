/**
 * Connection churn (`run --connection-churn N`) on both engines: a connection carries N calls,
 * then the next ones go to a fresh connection. The TCP connections are counted where they
 * arrive, by a loopback proxy in front of the echo server, and compared with the generator's
 * own count and its connection set-up histogram.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENGINES } from '../../src/engine/transport.js';
import { initHistograms, summarizeEncoded } from '../../src/stats/histogram.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';

/** Hang guard (never a measurement). */
const CLI_TIMEOUT_MS = 60_000;
const dir = tempDir();

interface CountingProxy {
  port: number;
  /** TCP connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort` that counts the connections it accepts. */
function countingProxy(targetPort: number): Promise<CountingProxy> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

async function run(args: string[]): Promise<RunResultsFile> {
  const out = join(dir, `churn-${Math.random().toString(36).slice(2)}.json`);
  const result = await runCli(['run', '--client-cpus', 'none', '--out', out, ...args], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(result.code, 0, `exit code; stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
}

const CALLS = 200;
const CHURN = 5;
const CONNECTIONS = 2;

describe('--connection-churn', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startEchoServe();
  });
  after(() => server.stop());

  for (const engine of ENGINES) {
    test(`${engine}: a new TCP connection every ${CHURN} calls, counted by the server side`, async () => {
      const proxy = await countingProxy(server.port);
      try {
        // One message per call and a budget of CALLS messages: exactly CALLS calls, CALLS / CONNECTIONS per connection slot.
        const file = await run([
          '--target', `127.0.0.1:${proxy.port}`, '--engine', engine,
          '--streams', '4', '--connections', String(CONNECTIONS), '--in-flight', '1',
          '--messages-per-stream', '1', '--connection-churn', String(CHURN),
          '--messages', String(CALLS), '--warmup', '0',
        ]);
        const m = file.run.metrics;
        const c = m.counters;
        assert.equal(file.run.config.connectionChurn, CHURN);
        assert.equal(c.received, CALLS, 'every message echoed');
        assert.equal(m.errorsTotal, 0, `no errors: ${JSON.stringify(c.errorsByStatus)}`);
        assert.equal(c.streamsOpened, CALLS, 'one call per message');
        // CALLS / CHURN connections, give or take one per slot (where its last connection ended).
        const expected = CALLS / CHURN;
        assert.ok(c.connectionsOpened >= expected && c.connectionsOpened <= expected + CONNECTIONS, `connections opened ${c.connectionsOpened}, expected ${expected} (+ up to ${CONNECTIONS})`);
        // The server side saw each of them, and the one connection made before the load: the
        // preflight (which also reads the server's stream limit for grpc-js), on both engines.
        assert.equal(proxy.accepted(), c.connectionsOpened + 1, 'TCP connections accepted by the proxy = opened by the generator + the preflight');
        // Every connection's set-up is in the histogram.
        assert.equal(m.connectLatencyUs.count, c.connectionsOpened);
        // (A run this short may end before its first whole second: the time series may be empty.)
        const perSecond = file.run.timeSeries.reduce((a, p) => a + (p.connectionsOpened ?? 0), 0);
        assert.ok(perSecond <= c.connectionsOpened, `connections per second in the time series: ${perSecond}`);
      } finally {
        await proxy.close();
      }
    });
  }

  for (const engine of ENGINES) {
    test(`${engine}: a connection per call never cuts a call in flight`, async () => {
      // Calls of 10 messages, 8 in flight, each on its own connection: the old connection is
      // closed only after its call ended, so every message is echoed and no call fails.
      const file = await run(['--target', server.target, '--engine', engine, '--streams', '4', '--connections', '1', '--in-flight', '8', '--messages-per-stream', '10', '--connection-churn', '1', '--messages', '400', '--warmup', '0']);
      const c = file.run.metrics.counters;
      assert.equal(c.received, 400);
      assert.equal(file.run.metrics.errorsTotal, 0, `errors: ${JSON.stringify(c.errorsByStatus)}`);
      assert.equal(c.streamsOpened, 40);
      assert.ok(c.connectionsOpened >= 40 && c.connectionsOpened <= 41, `connections opened: ${c.connectionsOpened}`);
    });
  }

  test('h2: connections opened per second are in the time series', async () => {
    const file = await run(['--target', server.target, '--streams', '2', '--connections', '1', '--messages-per-stream', '1', '--connection-churn', '2', '--rate', '100', '--duration', '3', '--warmup', '0']);
    const c = file.run.metrics.counters;
    // Seconds 1 and 2 end well inside the 3 s window (the third ends as sending stops and may or
    // may not get its point; a point for the drain may follow, with no new calls).
    const perSecond = file.run.timeSeries.filter((p) => p.second <= 2).map((p) => p.connectionsOpened ?? 0);
    assert.equal(perSecond.length, 2, 'a point per second');
    assert.ok(perSecond.every((n) => n > 0), `connections opened each second: ${perSecond.join(',')}`);
    assert.ok(perSecond.reduce((a, b) => a + b, 0) <= c.connectionsOpened);
  });

  test('h2: without churn the connections are kept', async () => {
    const proxy = await countingProxy(server.port);
    try {
      const file = await run(['--target', `127.0.0.1:${proxy.port}`, '--streams', '4', '--connections', '2', '--messages-per-stream', '1', '--messages', '100', '--warmup', '0']);
      assert.equal(file.run.config.connectionChurn, null);
      assert.equal(file.run.metrics.counters.connectionsOpened, 2);
      assert.equal(proxy.accepted(), 3);
    } finally {
      await proxy.close();
    }
  });
});

describe('--connection-churn with TLS', () => {
  for (const engine of ENGINES) {
    test(`${engine}: every TLS connection is recorded in the connection set-up histogram`, async () => {
      const args = ['--engine', engine, '--streams', '2', '--connections', '1', '--in-flight', '1', '--messages-per-stream', '1', '--connection-churn', '2', '--messages', '20', '--warmup', '0', '--server-cpus', 'none'];
      const tls = await run([...args, '--security', 'tls']);
      const plain = await run(args);
      for (const file of [tls, plain]) {
        const m = file.run.metrics;
        assert.equal(m.errorsTotal, 0);
        assert.ok(m.counters.connectionsOpened >= 10, `connections opened: ${m.counters.connectionsOpened}`);
        assert.equal(m.connectLatencyUs.count, m.counters.connectionsOpened);
        await initHistograms();
        assert.equal(summarizeEncoded([file.run.histograms.connectUs]).count, m.counters.connectionsOpened);
      }
      assert.equal(tls.run.config.security, 'tls');
      assert.equal(plain.run.config.security, 'plaintext');
    });
  }
});

describe('--connection-churn validation', () => {
  test('rejects a count below 1 with a clear message', async () => {
    const result = await runCli(['run', '--connection-churn', '0', '--duration', '1'], { timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--connection-churn must be an integer from 1 to \d+, got "0"/);
  });
});
