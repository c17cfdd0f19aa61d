import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';

let server: ServerProcess;
const dir = tempDir();
before(async () => {
  server = await startEchoServe();
});
after(async () => {
  await server.stop();
});

function readResults(path: string): RunResultsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as RunResultsFile;
}

test('a 1-second run against the embedded server echoes, verifies and writes a results file', async () => {
  const out = join(dir, 'embedded.json');
  const result = await runCli(['run', '--duration', '1', '--warmup', '0.3', '--streams', '2', '--in-flight', '4', '--verify', '--out', out], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /msgs\/s/);
  const file = readResults(out);
  assert.equal(file.schema, 'grpc-stream-bench/results');
  assert.equal(file.kind, 'run');
  const m = file.run.metrics;
  assert.ok(m.counters.received > 0, 'echoes received');
  assert.equal(m.errorsTotal, 0);
  assert.equal(m.counters.mismatches, 0);
  assert.equal(m.counters.unanswered, 0);
  assert.equal(m.latencyUs.count, m.counters.received);
  assert.ok(m.latencyUs.p50 > 0 && m.latencyUs.p50 <= m.latencyUs.p99 && m.latencyUs.p99 <= m.latencyUs.max);
  assert.equal(file.run.stop.reason, 'duration');
  assert.ok(file.run.timeSeries.length >= 1);
  assert.equal(typeof file.run.histograms.latencyUs, 'string');
  assert.equal(file.environment.node, process.version);
  assert.ok(m.server !== null, 'embedded server CPU recorded');
});

test('open loop records corrected and uncorrected latency against an external target', async () => {
  const out = join(dir, 'rate.json');
  const result = await runCli(['run', '--target', server.target, '--rate', '400', '--streams', '4', '--duration', '1', '--warmup', '0.2', '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout) as RunResultsFile;
  const file = readResults(out);
  assert.deepEqual(printed, file);
  const m = file.run.metrics;
  assert.ok(m.latencyUncorrectedUs !== null);
  assert.equal(m.latencyUncorrectedUs.count, m.latencyUs.count);
  // Sent on a schedule: about 400 msgs/s over the measured second, never far more.
  assert.ok(m.counters.sent > 200 && m.counters.sent <= 420, `sent ${m.counters.sent}`);
  assert.equal(file.run.config.target, server.target);
});

test('--messages stops after exactly that many measured messages', async () => {
  const out = join(dir, 'messages.json');
  const result = await runCli(['run', '--target', server.target, '--messages', '500', '--streams', '3', '--in-flight', '8', '--warmup', '0', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const file = readResults(out);
  assert.equal(file.run.stop.reason, 'messages');
  assert.equal(file.run.metrics.counters.sent, 500);
  assert.equal(file.run.metrics.counters.received, 500);
});

test('--connections C really opens C TCP connections', async () => {
  let accepted = 0;
  const proxy = net.createServer((socket) => {
    accepted++;
    const upstream = net.connect(server.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as net.AddressInfo;
  try {
    const out = join(dir, 'connections.json');
    const result = await runCli(['run', '--target', `127.0.0.1:${port}`, '--workers', '2', '--connections', '4', '--streams', '8', '--duration', '0.5', '--warmup', '0', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    // One connection for the reachability check, then one per channel.
    assert.equal(accepted, 1 + 4);
    assert.ok(readResults(out).run.metrics.counters.received > 0);
  } finally {
    proxy.close();
  }
});
