import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closedPort, runCli, startEchoServe, type ServerProcess } from '../helpers/cli.js';

let server: ServerProcess;
before(async () => {
  server = await startEchoServe();
});
after(async () => {
  await server.stop();
});

test('chat prints the five seed replies in order and exits 0', async () => {
  const result = await runCli(['chat', '--target', server.target]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split('\n'), ['Hello', 'World', 'How', 'Are', 'You'].map((m) => `Server received: ${m}`));
});

test('chat sends the given messages, with gzip too', async () => {
  const result = await runCli(['chat', 'ping', 'pong', '--target', server.target, '--compression', 'gzip', '--interval', '10']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split('\n'), ['Server received: ping', 'Server received: pong']);
});

test('chat names the status and exits non-zero when the target is down', async () => {
  const port = await closedPort();
  const result = await runCli(['chat', '--target', `127.0.0.1:${port}`], { timeoutMs: 15_000 });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /UNAVAILABLE/);
  assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
});
