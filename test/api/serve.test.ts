import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, serve } from '../../src/index.js';
import { loadStreamProto } from '../../src/grpc/proto.js';
import type { RouteNote__Output } from '../../src/generated/stream/RouteNote.js';
import { runCli } from '../helpers/cli.js';

/** Sends notes on one RouteChat stream and collects the echoes. */
function chat(target: string, notes: string[]): Promise<string[]> {
  const { stream } = loadStreamProto();
  const client = new stream.StreamService(target, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const echoes: string[] = [];
    const call = client.RouteChat();
    call.on('data', (note: RouteNote__Output) => echoes.push(note.message));
    call.on('error', (error) => {
      client.close();
      reject(error);
    });
    call.on('end', () => {
      client.close();
      resolve(echoes);
    });
    for (const message of notes) call.write({ message });
    call.end();
  });
}

describe('serve()', () => {
  it('listens in this process on a free port and echoes; close() is idempotent', async () => {
    const server = await serve({ port: 0, window: '1MiB' });
    assert.equal(server.host, '127.0.0.1');
    assert.ok(server.port > 0);
    assert.equal(server.target, `127.0.0.1:${server.port}`);
    assert.deepEqual(await chat(server.target, ['a', 'b']), ['Server received: a', 'Server received: b']);
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });

  it('an aborted signal closes the server', async () => {
    const controller = new AbortController();
    const server = await serve({ port: 0, graceMs: 0, signal: controller.signal });
    controller.abort();
    await server.close();
    await assert.rejects(chat(server.target, ['x']), (error: unknown) => (error as grpc.ServiceError).code === grpc.status.UNAVAILABLE);
  });

  it('bad options throw the ConfigError `serve` reports for the same flags', async () => {
    const cli = await runCli(['serve', '--host', '10.1.2.3', '--port', '0']);
    assert.equal(cli.code, 2);
    await assert.rejects(serve({ host: '10.1.2.3', port: 0 }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(`grpc-stream-bench: ${error.message}`, cli.stderr.trim());
      return true;
    });
    await assert.rejects(serve({ port: 70_000 }), { name: 'ConfigError', message: '--port must be an integer from 0 to 65535, got 70000' });
    await assert.rejects(serve({ port: 0, window: 100 }), { name: 'ConfigError', message: /^--window must be/ });
    await assert.rejects(serve({ port: 0, tls: { cert: 'not a certificate', key: 'nor a key' } }), {
      name: 'ConfigError',
      message: '--tls-cert tls.cert is not a PEM certificate (no "-----BEGIN CERTIFICATE-----")',
    });
  });
});
