import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, startEchoServe, startRawServer, tempDir } from '../helpers/cli.js';

const WINDOW = 1_048_576;

/** Connects with a raw HTTP/2 client and reads what the server announced. */
async function serverAnnounced(port: number): Promise<{ initialWindowSize: number | undefined; connectionWindow: number }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const settings = await new Promise<http2.Settings>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    // The connection window arrives as a WINDOW_UPDATE right after the SETTINGS.
    const deadline = Date.now() + 2_000;
    while (session.state.remoteWindowSize === 65_535 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { initialWindowSize: settings.initialWindowSize, connectionWindow: session.state.remoteWindowSize ?? 0 };
  } finally {
    session.destroy();
  }
}

test('serve --window sets the stream window (SETTINGS) and the connection window', async () => {
  const server = await startEchoServe(['--window', String(WINDOW)]);
  try {
    assert.deepEqual(await serverAnnounced(server.port), { initialWindowSize: WINDOW, connectionWindow: WINDOW });
  } finally {
    await server.stop();
  }
});

test('serve without --window keeps the HTTP/2 default of 65535', async () => {
  const server = await startEchoServe();
  try {
    assert.deepEqual(await serverAnnounced(server.port), { initialWindowSize: 65_535, connectionWindow: 65_535 });
  } finally {
    await server.stop();
  }
});

test('run --window sets the generator side: the server sees the client announce it', async () => {
  const server = await startRawServer('echo');
  try {
    const result = await runCli(['run', '--target', server.target, '--window', '1MiB', '--duration', '0.5', '--warmup', '0', '--out', join(tempDir(), 'w.json')]);
    assert.equal(result.code, 0, result.stderr);
    // The load connection carries the window (the short reachability check uses defaults).
    // The connection window is read 200 ms in, after some of it was already used by echoes.
    const sessions = server.lines.map((line) => /^session initialWindowSize=(\d+) connectionWindow=(\d+)$/.exec(line)).filter((m) => m !== null);
    const load = sessions.find((m) => Number(m[1]) === WINDOW);
    assert.ok(load, `a session announced initialWindowSize=${WINDOW}: ${server.lines.join('; ')}`);
    assert.ok(Number(load[2]) > 65_535 * 4, `connection window raised beyond the default: ${load[2]}`);
  } finally {
    await server.stop();
  }
});
