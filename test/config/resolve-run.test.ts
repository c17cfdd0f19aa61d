import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRunConfig, type RunInput } from '../../src/config/resolve-run.js';
import { ConfigError, ExitCode } from '../../src/errors.js';

const linux2 = { cpuCount: 2, platform: 'linux' };

test('defaults: ping-pong, 16 B, identity, embedded server split over the two CPUs', () => {
  const config = resolveRunConfig({}, linux2);
  assert.equal(config.target, null);
  assert.equal(config.streams, 1);
  assert.equal(config.inFlight, 1);
  assert.equal(config.rate, null);
  assert.equal(config.size, 16);
  assert.equal(config.compression, 'identity');
  assert.equal(config.durationS, 10);
  assert.equal(config.serverCpus, '0');
  assert.equal(config.clientCpus, '1');
});

test('worker heap limits: V8 defaults unless set, in MiB or with a unit', () => {
  const none = resolveRunConfig({}, linux2);
  assert.deepEqual([none.workerHeapMiB, none.workerYoungMiB], [null, null]);
  const set = resolveRunConfig({ workerHeap: '2GiB', workerYoung: '96MiB' }, linux2);
  assert.deepEqual([set.workerHeapMiB, set.workerYoungMiB], [2048, 96]);
  const plain = resolveRunConfig({ workerHeap: 160, workerYoung: ' 64 ' }, linux2);
  assert.deepEqual([plain.workerHeapMiB, plain.workerYoungMiB], [160, 64]);
});

test('placement defaults follow the core count and can be turned off', () => {
  assert.deepEqual(
    [resolveRunConfig({}, { cpuCount: 8, platform: 'linux' })].map((c) => [c.serverCpus, c.clientCpus]),
    [['0-3', '4-7']],
  );
  const one = resolveRunConfig({}, { cpuCount: 1, platform: 'linux' });
  assert.deepEqual([one.serverCpus, one.clientCpus], [null, null]);
  const off = resolveRunConfig({ serverCpus: 'none', clientCpus: 'none' }, linux2);
  assert.deepEqual([off.serverCpus, off.clientCpus], [null, null]);
  const ext = resolveRunConfig({ target: '127.0.0.1:50051' }, linux2);
  assert.deepEqual([ext.serverCpus, ext.clientCpus], [null, null]);
});

test('open loop defaults the in-flight cap to 1024 and accepts byte units', () => {
  const config = resolveRunConfig({ rate: '5000', size: '1KiB', window: '1MiB' }, linux2);
  assert.equal(config.rate, 5000);
  assert.equal(config.inFlight, 1024);
  assert.equal(config.size, 1024);
  assert.equal(config.window, 1_048_576);
  assert.equal(config.pacing, 'spin');
  assert.equal(resolveRunConfig({ rate: 100, pacing: 'timer' }, linux2).pacing, 'timer');
});

test('--messages replaces the duration and sets a longer timeout', () => {
  const config = resolveRunConfig({ messages: '1000' }, linux2);
  assert.equal(config.durationS, null);
  assert.equal(config.messages, 1000);
  assert.equal(config.timeoutS, 600);
});

const bad: Array<[RunInput, string]> = [
  [{ size: -5 }, '--size must be an integer from 0 to 4194281 (the echo of a larger message exceeds --max-message-size 4194304), got -5'],
  [{ size: '12x' }, '--size must be a byte count from 0 to 4194281 (the echo of a larger message exceeds --max-message-size 4194304) (e.g. 16, 1KiB, 1MiB), got "12x"'],
  [{ size: 2030, maxMessageSize: 2048 }, '--size must be an integer from 0 to 2025 (the echo of a larger message exceeds --max-message-size 2048), got 2030'],
  [{ streams: 0 }, '--streams must be an integer from 1 to 100000, got 0'],
  [{ streams: 1.5 }, '--streams must be an integer from 1 to 100000, got 1.5'],
  [{ workers: 'two' }, '--workers must be an integer from 1 to 64, got "two"'],
  [{ inFlight: 0 }, '--in-flight must be an integer from 1 to 65536, got 0'],
  [{ compression: 'br' }, '--compression must be one of identity, deflate, gzip, got "br"'],
  [{ pacing: 'sleep' }, '--pacing must be one of spin, timer, got "sleep"'],
  [{ window: 100 }, '--window must be an integer from 65535 to 2147483647, got 100'],
  [{ rate: 0 }, '--rate must be a number greater than 0 and at most 10000000, got 0'],
  [{ duration: 0 }, '--duration must be a number greater than 0 and at most 86400, got 0'],
  [{ warmup: -1 }, '--warmup must be a number of seconds from 0 to 86400, got -1'],
  [{ duration: 5, messages: 10 }, '--duration and --messages are alternative ways to stop a run; give one of them'],
  [{ messages: 2, streams: 4 }, '--messages (2) must be at least --streams (4): every stream sends at least one measured message'],
  [{ workers: 3, connections: 2, streams: 4 }, '--connections (2) must be at least --workers (3): each worker owns its own connections'],
  [{ connections: 3, streams: 2 }, '--streams (2) must be at least --connections (3): each connection carries at least one stream'],
  [{ timeout: 5, duration: 10 }, '--timeout (5 s) must be at least --warmup + --duration (11 s)'],
  [{ target: '127.0.0.1:0' }, '--target must be HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:50051 or [::1]:50051), got "127.0.0.1:0"'],
  [{ target: '192.168.1.10:50051' }, '--target 192.168.1.10:50051 is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote server'],
  [{ target: '127.0.0.1:50051', serverCpus: '0' }, '--server-cpus applies only to the embedded echo server; it cannot be used with --target'],
  [{ clientCpus: '5' }, '--client-cpus names CPU 5, but this machine has CPUs 0 to 1, got "5"'],
  [{ workerHeap: 'lots' }, '--worker-heap must be a whole number of MiB from 32 to 65536 (each worker\'s V8 old generation), e.g. 256 or 2GiB, got "lots"'],
  [{ workerHeap: 31 }, '--worker-heap must be a whole number of MiB from 32 to 65536 (each worker\'s V8 old generation), e.g. 256 or 2GiB, got 31'],
  [{ workerHeap: '1.5GiB' }, '--worker-heap must be a whole number of MiB from 32 to 65536 (each worker\'s V8 old generation), e.g. 256 or 2GiB, got "1.5GiB"'],
  [{ workerHeap: '512MB' }, '--worker-heap must be a whole number of MiB from 32 to 65536 (each worker\'s V8 old generation), e.g. 256 or 2GiB, got "512MB"'],
  [{ workerYoung: 2048 }, '--worker-young must be a whole number of MiB from 3 to 1024 (each worker\'s V8 young generation), e.g. 256 or 2GiB, got 2048'],
  [{ clientCpus: 'a-b' }, '--client-cpus must be a CPU list such as 0, 0-1 or 0,2 (CPUs 0 to 1), or "none", got "a-b"'],
];

for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => resolveRunConfig(input, linux2),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, message);
        assert.equal(error.exitCode, ExitCode.invalidArguments);
        return true;
      },
    );
  });
}

test('IPv6 loopback and remote targets with --allow-remote', () => {
  assert.equal(resolveRunConfig({ target: '[::1]:50051' }, linux2).target, '[::1]:50051');
  assert.equal(resolveRunConfig({ target: 'localhost:50051' }, linux2).target, 'localhost:50051');
  assert.equal(resolveRunConfig({ target: '10.0.0.2:50051', allowRemote: true }, linux2).target, '10.0.0.2:50051');
});
