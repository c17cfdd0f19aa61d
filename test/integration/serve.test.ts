import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, runCli, startEchoServe } from '../helpers/cli.js';

test('serve prints one "listening on" line and exits 0 on SIGTERM', async () => {
  const server = await startEchoServe();
  assert.match(server.target, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(server.port, 0);
  const code = await server.stop();
  assert.equal(code, 0);
  assert.deepEqual(server.lines, []);
});

test('serve lets an open stream finish within the grace period on SIGINT', async () => {
  const server = await startEchoServe(['--grace-ms', '3000']);
  const chat = spawn(process.execPath, [CLI, 'chat', 'a', 'b', 'c', '--interval', '300', '--target', server.target]);
  let stdout = '';
  chat.stdout.on('data', (chunk: Buffer) => {
    if (stdout === '') server.child.kill('SIGINT'); // the stream is open: now ask the server to stop
    stdout += chunk.toString();
  });
  const [code] = (await once(chat, 'close')) as [number | null];
  assert.equal(code, 0);
  assert.deepEqual(stdout.trim().split('\n'), ['Server received: a', 'Server received: b', 'Server received: c']);
  const [serverCode] = (await once(server.child, 'exit')) as [number | null];
  assert.equal(serverCode, 0);
});

test('serve rejects a bad port with exit code 2', async () => {
  const result = await runCli(['serve', '--port', '70000']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--port must be an integer from 0 to 65535, got "70000"/);
});
