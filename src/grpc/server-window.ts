import type * as http2 from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { BenchError } from '../errors.js';

/*
 * grpc-js has no server option for the HTTP/2 flow-control window (its client has
 * `grpc-node.flow_control_window`). Both windows are set the way grpc-js sets them on the
 * client (transport.js):
 *   - the stream window through the SETTINGS the server sends first
 *     (`initialWindowSize` in the options grpc-js passes to http2.createServer), and
 *   - the connection window with `session.setLocalWindowSize()` on every new session.
 * grpc-js keeps both hooks as plain properties (`commonServerOptions`, `http2Servers`);
 * their shape is checked here so that a grpc-js upgrade that moves them fails loudly
 * instead of silently running with the default 64 KiB window.
 */

interface ServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

function internals(server: Server): Required<ServerInternals> {
  const inner = server as unknown as ServerInternals;
  if (typeof inner.commonServerOptions !== 'object' || !(inner.http2Servers instanceof Map)) {
    throw new BenchError('this @grpc/grpc-js version does not expose the server hooks --window needs (commonServerOptions, http2Servers)');
  }
  return inner as Required<ServerInternals>;
}

/** Call before bindAsync: the SETTINGS frame the server sends will carry `window`. */
export function setServerStreamWindow(server: Server, window: number): void {
  const options = internals(server).commonServerOptions;
  options.settings = { ...options.settings, initialWindowSize: window };
}

/** Call after bindAsync: every new connection gets a connection-level window of `window`. */
export function setServerConnectionWindow(server: Server, window: number): void {
  for (const http2Server of internals(server).http2Servers.keys()) {
    http2Server.on('session', (session: http2.ServerHttp2Session) => {
      session.setLocalWindowSize(window);
    });
  }
}
