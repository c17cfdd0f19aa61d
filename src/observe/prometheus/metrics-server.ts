/**
 * The HTTP end of an exporter: `GET /metrics` answers a prom-client registry in the Prometheus
 * text format. Listens on loopback unless told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { formatTarget } from '../../config/target.js';
import { describeError } from '../../errors.js';
import { listenOn } from '../listen.js';

export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface MetricsServer {
  host: string;
  port: number;
  /** http://HOST:PORT/metrics */
  url: string;
  /** Stops listening and closes open connections (keep-alive scrapers included). */
  close(): Promise<void>;
}

/** Serves `registry` at http://HOST:PORT/metrics. */
export async function serveMetrics(registry: Registry, options: MetricsServerOptions): Promise<MetricsServer> {
  const { port } = options;
  const host = options.host ?? DEFAULT_METRICS_HOST;

  const server = createServer((request, response) => void answer(registry, request, response));
  await listenOn(server, host, port, 'Prometheus metrics');
  const bound = (server.address() as AddressInfo).port;
  return {
    host,
    port: bound,
    url: `http://${formatTarget({ host, port: bound })}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(registry: Registry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== METRICS_PATH) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found; metrics are at ${METRICS_PATH}\n`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  try {
    const text = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(request.method === 'HEAD' ? undefined : text);
  } catch (error: unknown) {
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collecting metrics failed: ${describeError(error)}\n`);
  }
}
