/**
 * The SSE fan-out never waits for a browser: a connection that stops reading is dropped once its
 * unsent bytes pile up, while a reading one keeps getting every message.
 */
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { SLOW_CLIENT_BYTES, SseClients, formatSseEvent } from '../../src/observe/live/sse-clients.js';

describe('SSE clients', () => {
  it('formats one event as an event line and a single data line', () => {
    assert.equal(formatSseEvent('second', { a: 'x\ny', b: 1 }), 'event: second\ndata: {"a":"x\\ny","b":1}\n\n');
  });

  it('drops a browser that stops reading, keeps one that reads, and never blocks the sender', async () => {
    const clients = new SseClients();
    const server = createServer((_req, res) => clients.add(res, formatSseEvent('snapshot', {})));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // A stalled browser: sends its request, then never reads.
      const stalled = connect(port, '127.0.0.1');
      stalled.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      stalled.pause();
      // A live one, counting what it gets.
      let received = 0;
      const live = await new Promise<IncomingMessage>((resolve) => get({ port, host: '127.0.0.1', path: '/events', agent: false }, resolve));
      live.on('data', (chunk: Buffer) => (received += chunk.length));
      while (clients.size < 2) await new Promise((r) => setTimeout(r, 5));

      const message = formatSseEvent('second', { pad: 'x'.repeat(64 * 1024) });
      let sentBytes = 0;
      // broadcast() is synchronous (it only calls res.write), so it cannot wait for a browser.
      for (let i = 0; i < 1000 && clients.size === 2; i++) {
        clients.broadcast(message);
        sentBytes += message.length;
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(clients.size, 1, `the stalled browser was dropped (after ${(sentBytes / 1024 / 1024).toFixed(1)} MiB)`);
      assert.ok(sentBytes > SLOW_CLIENT_BYTES, 'only once it held more than the limit');
      clients.broadcast(formatSseEvent('second', { last: true }));
      const t0 = performance.now();
      const liveEnded = new Promise((resolve) => live.on('end', resolve));
      // A grace far longer than the flush takes, even on a busy machine: closing must end on the flush.
      const graceMs = 30_000;
      await clients.closeAll(formatSseEvent('end', {}), graceMs);
      await liveEnded;
      const closingMs = performance.now() - t0;
      assert.ok(closingMs < 10_000, `closing did not wait out the ${graceMs} ms grace for the reading browser (took ${closingMs.toFixed(0)} ms)`);
      assert.ok(received >= sentBytes, `the reading browser got everything: ${received} of ${sentBytes}`);
      stalled.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
