import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResultsFile } from '../../src/types.js';
import { closedPort, runCli, startRawServer, tempDir } from '../helpers/cli.js';

const dir = tempDir();

const invalid: Array<{ args: string[]; message: RegExp }> = [
  { args: ['--size', '-5'], message: /--size must be a byte count from 0 to 4194281 .*got "-5"/ },
  { args: ['--size', 'abc'], message: /--size must be a byte count .*got "abc"/ },
  { args: ['--size', '5000000'], message: /--size must be a byte count from 0 to 4194281 \(the echo of a larger message exceeds --max-message-size 4194304\).*got "5000000"/ },
  { args: ['--streams', '0'], message: /--streams must be an integer from 1 to 100000, got "0"/ },
  { args: ['--compression', 'brotli'], message: /--compression must be one of identity, deflate, gzip, got "brotli"/ },
  { args: ['--duration', '5', '--messages', '100'], message: /--duration and --messages are alternative ways to stop a run; give one of them/ },
  { args: ['--workers', '4', '--connections', '2', '--streams', '8'], message: /--connections \(2\) must be at least --workers \(4\)/ },
  { args: ['--connections', '4', '--streams', '2'], message: /--streams \(2\) must be at least --connections \(4\)/ },
  { args: ['--target', '127.0.0.1:50051', '--server-cpus', '0'], message: /--server-cpus applies only to the embedded echo server/ },
  { args: ['--target', '10.1.2.3:50051'], message: /--target 10\.1\.2\.3:50051 is not a loopback address/ },
  { args: ['--target', 'nonsense'], message: /--target must be HOST:PORT/ },
  { args: ['--window', '1000'], message: /--window must be a byte count from 65535 to 2147483647/ },
  { args: ['--rate', '-1'], message: /--rate must be a number greater than 0/ },
  { args: ['--bogus-flag', '1'], message: /Unknown arguments?: bogus-flag/ },
];

for (const { args, message } of invalid) {
  test(`run ${args.join(' ')} → exit 2, one clear line, nothing started`, async () => {
    const out = join(dir, `${args.join('_').replace(/[^\w-]/g, '')}.json`);
    const result = await runCli(['run', ...args, '--out', out], { timeoutMs: 10_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(existsSync(out), false);
  });
}

test('an unreachable target fails within 5 s with exit 3 and names the target', async () => {
  const port = await closedPort();
  const started = Date.now();
  const result = await runCli(['run', '--target', `127.0.0.1:${port}`, '--duration', '1'], { timeoutMs: 15_000 });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, new RegExp(`target 127\\.0\\.0\\.1:${port} is unreachable`));
  assert.ok(Date.now() - started < 10_000, 'gave up in bounded time');
});

function readResults(path: string): RunResultsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as RunResultsFile;
}

test('a server that rejects the compression (UNIMPLEMENTED) ends the run with that status', async () => {
  const server = await startRawServer('reject-compression');
  try {
    const out = join(dir, 'reject.json');
    const result = await runCli(['run', '--target', server.target, '--compression', 'gzip', '--streams', '2', '--duration', '5', '--out', out], { timeoutMs: 20_000 });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stdout, /UNIMPLEMENTED/);
    const run = readResults(out).run;
    assert.equal(run.stop.reason, 'all-streams-failed');
    assert.equal(run.metrics.counters.errorsByStatus.UNIMPLEMENTED, 2);
    assert.match(run.stop.detail ?? '', /Decompressor is not installed/);
  } finally {
    await server.stop();
  }
});

test('a server that ends streams early is counted, not a crash', async () => {
  const server = await startRawServer('close-after', '5');
  try {
    const out = join(dir, 'early.json');
    const result = await runCli(['run', '--target', server.target, '--streams', '3', '--in-flight', '2', '--warmup', '0', '--duration', '2', '--out', out], { timeoutMs: 20_000 });
    assert.equal(result.code, 4, result.stderr);
    const run = readResults(out).run;
    assert.equal(run.metrics.counters.streamsEndedEarly, 3);
    assert.equal(run.stop.reason, 'all-streams-failed');
    assert.equal(run.metrics.counters.received, 15);
  } finally {
    await server.stop();
  }
});

test('wrong echoes are counted as mismatches, with and without --verify', async () => {
  const server = await startRawServer('wrong-echo');
  try {
    for (const verify of [[], ['--verify']]) {
      const out = join(dir, `wrong${verify.length}.json`);
      const result = await runCli(['run', '--target', server.target, '--messages', '50', '--warmup', '0', ...verify, '--out', out], { timeoutMs: 20_000 });
      assert.equal(result.code, 4, result.stderr);
      const counters = readResults(out).run.metrics.counters;
      assert.equal(counters.received, 50);
      assert.equal(counters.mismatches, 50);
    }
  } finally {
    await server.stop();
  }
});
