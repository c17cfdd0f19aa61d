/**
 * A live web page of a run or sweep, served on 127.0.0.1: `/` the page (self-contained, no
 * external resource), `/events` Server-Sent Events (a snapshot, then about one message per
 * second), `/state` the current snapshot as JSON. It is a RunObserver: the CLI hands it the
 * run's events; it never waits for a browser and never keeps the process alive by itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../listen.js';
import type { RunObserver } from '../observer.js';
import type { LiveEvent, LiveKind } from './live-messages.js';
import { renderLivePage } from './live-page-html.js';
import { LiveState } from './live-state.js';
import { SseClients, formatSseEvent } from './sse-clients.js';

export interface LivePageOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  kind: LiveKind;
}

export const LIVE_HOST = '127.0.0.1';

/** close() waits at most this long for the browsers to take the last messages. */
export const CLOSE_GRACE_MS = 1000;

const LOOPBACK_HOSTS = new Set([LIVE_HOST, 'localhost', '[::1]']);

/** The name in a Host header, without its port: "127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]". */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d*$/, '');
}

export async function startLivePage(options: LivePageOptions): Promise<RunObserver & { url: string }> {
  const state = new LiveState(options.kind);
  const page = renderLivePage(options.kind);
  const pageBytes = Buffer.from(page.html, 'utf8');
  const clients = new SseClients();
  let closed = false;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    const plain = (status: number, text: string): void => {
      res.writeHead(status, { ...common, 'Content-Type': 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (closed) return plain(503, 'the live page is closed');
    // Only loopback names (any port, for SSH tunnels): a page elsewhere that rebinds its DNS name to 127.0.0.1 gets nothing.
    if (!LOOPBACK_HOSTS.has(hostName(req.headers.host))) return plain(403, 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(405, 'method not allowed');
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, {
        ...common,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': pageBytes.length,
        'Content-Security-Policy': page.csp,
        'Referrer-Policy': 'no-referrer',
        'X-Frame-Options': 'DENY',
      });
      res.end(req.method === 'HEAD' ? undefined : pageBytes);
      return;
    }
    if (path === '/events') {
      if (req.method === 'HEAD') {
        res.writeHead(200, { ...common, 'Content-Type': 'text/event-stream; charset=utf-8' }).end();
        return;
      }
      clients.add(res, formatSseEvent('snapshot', state.snapshot()));
      return;
    }
    if (path === '/state') {
      const body = JSON.stringify(state.snapshot());
      res.writeHead(200, { ...common, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, common).end();
      return;
    }
    plain(404, 'not found');
  };

  const server = createServer(handle);
  // The page never keeps the process alive (a pending write does, until it is flushed).
  server.on('connection', (socket) => socket.unref());
  server.on('clientError', (_error, socket) => socket.destroy());
  await listenOn(server, LIVE_HOST, options.port, 'live page');
  server.unref();
  const port = (server.address() as AddressInfo).port;

  // The state is updated whether or not a browser is connected; a message is only made for one.
  const send = (...events: LiveEvent[]): void => {
    if (closed || clients.size === 0) return;
    for (const event of events) clients.broadcast(formatSseEvent(event.type, event.data));
  };

  return {
    url: `http://${LIVE_HOST}:${port}/`,
    runStarted: (start) => send(...state.runStarted(start)),
    // The charts plot whole seconds: a run's last, partial second is not a rate (its counts are in the result).
    second: (progress) => (progress.partial ? undefined : send(state.second(progress))),
    runFinished: (record) => send(state.runFinished(record)),
    sweepProgress: (progress, latest) => send(state.sweepProgress(progress, latest)),
    finished: (resultsPath) => send(state.finished(resultsPath)),
    close: async () => {
      if (closed) return;
      closed = true;
      await clients.closeAll(formatSseEvent('end', { reason: 'closed' }), CLOSE_GRACE_MS);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}
