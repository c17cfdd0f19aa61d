import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startEmbeddedServer } from '../../src/load/embedded-server.js';
import { isAlive, runCli, tempDir } from '../helpers/cli.js';

/** The pids of a process's children, from /proc (null where the kernel does not list them). */
function childPids(pid: number): number[] | null {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return null;
  }
}

test('the embedded server with instances 2: two processes, comma-joined target, CPU summed, stop() stops all', async () => {
  const server = await startEmbeddedServer({ host: '127.0.0.1', window: null, maxMessageSize: 4 * 1024 * 1024, delayMs: 0, cpus: null, securityArgs: [], instances: 2 });
  let children: number[] | null = null;
  try {
    assert.equal(server.targets.length, 2);
    assert.equal(new Set(server.targets).size, 2);
    assert.equal(server.target, server.targets.join(','));
    children = childPids(server.pid);
    // Linux lists a process's children in /proc; elsewhere the count is not checked.
    if (process.platform === 'linux') assert.ok(children !== null, `/proc/${server.pid}/task/${server.pid}/children is readable on Linux`);
    if (children !== null) assert.equal(children.length, 2, 'the parent supervises two instance processes');
    const cpu = server.cpuUs();
    assert.ok(cpu !== null && cpu > 0, `fleet CPU time: ${cpu}`);
  } finally {
    await server.stop();
  }
  assert.ok(!isAlive(server.pid));
  for (let i = 0; i < 100 && (children ?? []).some(isAlive); i++) await sleep(50);
  assert.deepEqual((children ?? []).filter(isAlive), [], 'no instance left running');
});

test('run --instances 2 starts a two-process fleet, records it, and spreads the streams over both', async () => {
  const out = join(tempDir(), 'fleet-run.json');
  const result = await runCli(['run', '--instances', '2', '--connections', '2', '--streams', '4', '--duration', '1', '--warmup', '0.2', '--out', out], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  const { run } = JSON.parse(readFileSync(out, 'utf8')) as {
    run: { config: { instances: number; target: string | null; targets?: string[] }; metrics: { server: { cpuUs: number } | null; backends?: { backend: string; streamsOpened: number; received: number }[] } };
  };
  assert.equal(run.config.instances, 2);
  assert.equal(run.config.target, null, 'the embedded server, not an external target');
  assert.ok(run.metrics.server !== null && run.metrics.server.cpuUs > 0);
  // Per-backend figures come from the client's load balancing over the fleet's two addresses.
  const { backends } = run.metrics;
  assert.ok(backends !== undefined, 'per-backend figures recorded');
  assert.equal(backends.length, 2, JSON.stringify(backends));
  assert.equal(new Set(backends.map((b) => b.backend)).size, 2);
  for (const backend of backends) {
    assert.equal(backend.streamsOpened, 2);
    assert.ok(backend.received > 0);
  }
});

test('run and sweep refuse bad instances with exit 2 and a clear message', async () => {
  const cases: [string[], RegExp][] = [
    [['run', '--instances', '0'], /--instances must be an integer from 1 to 64 \(echo-server processes\), got "0"/],
    [['run', '--instances', '2', '--target', '127.0.0.1:50051'], /--instances applies only to the embedded echo server; it cannot be used with --target/],
    [['sweep', '--profile', 'quick', '--instances', '99', '--dry-run'], /settings\.instances must be an integer from 1 to 64 \(echo-server processes\), got 99/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});

test('sweep --instances N plans every cell with an N-process embedded server', async () => {
  const result = await runCli(['sweep', '--profile', 'quick', '--instances', '2', '--dry-run']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^each run .* · embedded server, 2 processes$/m);
  const single = await runCli(['sweep', '--profile', 'quick', '--dry-run']);
  assert.match(single.stdout, /^each run .* · embedded server$/m);
});
