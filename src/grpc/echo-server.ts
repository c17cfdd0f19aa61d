import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { ECHO_PREFIX, MAX_CONCURRENT_STREAMS } from '../config/defaults.js';
import { formatTarget } from '../config/target.js';
import { BenchError } from '../errors.js';
import type { RouteNote, RouteNote__Output } from '../generated/stream/RouteNote.js';
import type { FaultInjector, InjectedFailure } from '../resilience/fault-injector.js';
import { STATUS_DETAILS_TRAILER } from '../resilience/rich-status.js';
import { createAuthInterceptor, type AuthEvent } from '../security/auth-interceptor.js';
import type { AuthVerifier } from '../security/jwt-verifier.js';
import { serverCredentials, type ServerTlsOptions } from '../security/server-tls.js';
import { BACKEND_ID_HEADER, loadPackageDefinition, loadStreamProto } from './proto.js';
import { setServerConnectionWindow, setServerStreamWindow } from './server-window.js';

export interface EchoServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** HTTP/2 flow-control window (stream and connection) in bytes; null = 64 KiB default. */
  window: number | null;
  maxMessageSize: number;
  /** Fixed delay before each echo, in ms (0 = none). */
  delayMs: number;
  /** TLS (PEM text); with `clientCa`, client certificates are required (mTLS). Absent: plaintext. */
  tls?: ServerTlsOptions;
  /** Checks every call (RouteChat and reflection) before its handler runs. Absent: no auth. */
  auth?: AuthVerifier;
  /** Told of every auth decision (for counting and logging). */
  onAuthEvent?: (event: AuthEvent) => void;
  /** Fault injection (rejections, aborts, drops, stalls, connection age) and its counters. Absent: the plain echo handler. */
  faults?: FaultInjector;
  /** Where to count streams, echoes and connections (for `serve --prometheus`). Absent: streams and echoes are counted in a private object, connections not at all. */
  counters?: EchoCounters;
}

/** What the echo server counts while serving: plain integers, one `++` per event. */
export interface EchoCounters {
  /** RouteChat streams the echo handler served (after the auth check and injected rejections). */
  streams: number;
  /** Echoes written. */
  echoes: number;
  /** HTTP/2 connections accepted; counted only when the server is given its counters. */
  connections: number;
}

export function createEchoCounters(): EchoCounters {
  return { streams: 0, echoes: 0, connections: 0 };
}

export interface RunningEchoServer {
  host: string;
  port: number;
  counters: EchoCounters;
  /** Stops accepting, lets open streams finish for up to graceMs, then closes them. */
  shutdown(graceMs: number): Promise<void>;
}

type RouteChatCall = grpc.ServerDuplexStream<RouteNote__Output, RouteNote>;

/**
 * The response headers of every served RouteChat call: one Metadata object, filled in once the
 * bound port is known, and sent as it is by every call (grpc-js only reads it).
 */
function backendHeaders(): { headers: grpc.Metadata; setBackendId(id: string): void } {
  const headers = new grpc.Metadata();
  return { headers, setBackendId: (id) => headers.set(BACKEND_ID_HEADER, id) };
}

/** The RouteChat handler: one echo per note, in order; ends with OK after the client half-closes. */
function makeRouteChatHandler(delayMs: number, counters: EchoCounters, headers: grpc.Metadata): (call: RouteChatCall) => void {
  return (call) => {
    counters.streams++;
    call.sendMetadata(headers);
    let paused = false;
    let pending = 0;
    let clientDone = false;
    const resume = (): void => {
      paused = false;
      call.resume();
    };
    const echo = (note: RouteNote__Output): void => {
      counters.echoes++;
      if (!call.write({ message: ECHO_PREFIX + note.message }) && !paused) {
        paused = true;
        call.pause();
        call.once('drain', resume);
      }
    };
    if (delayMs > 0) {
      call.on('data', (note: RouteNote__Output) => {
        pending++;
        setTimeout(() => {
          pending--;
          if (call.cancelled) return;
          echo(note);
          if (clientDone && pending === 0) call.end();
        }, delayMs);
      });
    } else {
      call.on('data', echo);
    }
    call.on('end', () => {
      clientDone = true;
      if (pending === 0) call.end();
    });
    // A cancelled or broken stream is the client's business; the server keeps serving.
    call.on('error', () => undefined);
  };
}

/** Starts the grpc-js echo server with server reflection, as the seed does; optionally with TLS / mTLS and JWT auth. */
export async function startEchoServer(options: EchoServerOptions): Promise<RunningEchoServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageSize,
    'grpc.max_send_message_length': options.maxMessageSize,
    // Advertised in SETTINGS_MAX_CONCURRENT_STREAMS: no limit a load run could reach (10,000
    // streams on one connection included); clients then never queue or get refused streams.
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
    interceptors: options.auth === undefined ? [] : [createAuthInterceptor(options.auth, options.onAuthEvent)],
  });
  const proto = loadStreamProto();
  const counters = options.counters ?? createEchoCounters();
  const backend = backendHeaders();
  const routeChat =
    options.faults === undefined
      ? makeRouteChatHandler(options.delayMs, counters, backend.headers)
      : makeFaultyRouteChatHandler(options.delayMs, options.faults, counters, backend.headers);
  server.addService(proto.stream.StreamService.service, { RouteChat: routeChat });
  new ReflectionService(loadPackageDefinition() as never).addToServer(server);
  if (options.window !== null) setServerStreamWindow(server, options.window);

  const address = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, serverCredentials(options.tls), (error, boundPort) => {
      if (error) reject(new BenchError(`cannot listen on ${address}: ${error.message}`));
      else {
        // Set in the callback, before any call on the bound port can be handled.
        backend.setBackendId(formatTarget({ host: options.host, port: boundPort }));
        resolve(boundPort);
      }
    });
  });
  if (options.window !== null) setServerConnectionWindow(server, options.window);
  if (options.faults !== undefined || options.counters !== undefined) watchConnections(server, options.faults, options.counters);

  return {
    host: options.host,
    port,
    counters,
    shutdown: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** Ends a stream with an injected fault's status, its rich details in the trailers. */
function failStream(call: RouteChatCall, failure: InjectedFailure): void {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_TRAILER, failure.statusDetails);
  // grpc-js: an 'error' on a server stream becomes its status, sent after the queued messages.
  call.emit('error', { code: failure.code, details: failure.details, metadata });
}

/**
 * RouteChat with fault injection. A stream may be rejected before any echo; an accepted one is
 * served by the plain handler unless notes need the fault path (drops, aborts, stalls), so
 * rejections alone add no per-note cost.
 */
function makeFaultyRouteChatHandler(delayMs: number, faults: FaultInjector, counters: EchoCounters, headers: grpc.Metadata): (call: RouteChatCall) => void {
  const plain = makeRouteChatHandler(delayMs, counters, headers);
  return (call) => {
    const rejection = faults.admitStream();
    if (rejection !== null) {
      call.on('error', () => undefined);
      return failStream(call, rejection);
    }
    // A rejected stream ends trailers-only, without response headers; an accepted one gets them.
    if (faults.perNote) serveWithFaults(call, delayMs, faults, counters, headers);
    else plain(call);
  };
}

/**
 * The per-note fault path: a note may be dropped (decided on arrival, in order); an echo due
 * during a stall is held and sent, in order, when the stall ends; after `--abort-after` echoes
 * the stream ends with the abort status. Backpressure as in the plain handler.
 */
function serveWithFaults(call: RouteChatCall, delayMs: number, faults: FaultInjector, counters: EchoCounters, headers: grpc.Metadata | undefined): void {
  counters.streams++;
  if (headers !== undefined) call.sendMetadata(headers);
  const abortAfter = faults.options.abort?.afterEchoes ?? null;
  let echoed = 0;
  /** Notes kept (not dropped) whose echo is not written yet: delayed or held by a stall. */
  let due = 0;
  let held: string[] = [];
  let clientDone = false;
  let ended = false;
  let paused = false;
  const resume = (): void => {
    paused = false;
    call.resume();
  };
  const endIfDone = (): void => {
    if (clientDone && due === 0 && !ended) {
      ended = true;
      call.end();
    }
  };
  const write = (message: string): void => {
    due--;
    if (ended || call.cancelled) return;
    echoed++;
    counters.echoes++;
    const flowing = call.write({ message });
    if (abortAfter !== null && echoed >= abortAfter) {
      ended = true;
      const abort = faults.abortStream();
      if (abort !== null) failStream(call, abort);
      return;
    }
    if (!flowing && !paused) {
      paused = true;
      call.pause();
      call.once('drain', resume);
    }
  };
  const release = (): void => {
    const messages = held;
    held = [];
    for (const message of messages) write(message);
    endIfDone();
  };
  const echo = (message: string): void => {
    if (faults.isStalled()) {
      if (held.length === 0) faults.afterStall(release);
      held.push(message);
      return;
    }
    write(message);
    endIfDone();
  };
  call.on('data', (note: RouteNote__Output) => {
    if (ended || faults.dropNote()) return;
    due++;
    const message = ECHO_PREFIX + note.message;
    if (delayMs > 0) setTimeout(echo, delayMs, message);
    else echo(message);
  });
  call.on('end', () => {
    clientDone = true;
    endIfDone();
  });
  call.on('error', () => undefined);
}

/** The GOAWAY debug data grpc-js's own max-connection-age sends. */
const MAX_AGE_DEBUG_DATA = Buffer.from('max_age');
/** Last-stream-id of a first, graceful GOAWAY: every stream the client has opened may finish. */
const MAX_STREAM_ID = 2 ** 31 - 1;

/**
 * Counts connections (into `counters` and the fault stats) and, with --max-connection-age, ages
 * them out: after the age a GOAWAY
 * (NO_ERROR, last-stream-id 2^31-1, as grpc-js's `grpc.max_connection_age_ms` sends it), then
 * `session.close()` (Node follows with a GOAWAY naming the real last stream; open streams may
 * finish, new ones go to a new connection); after the grace, if any, the connection is
 * destroyed. grpc-js's option is not used: it adds ±10% random jitter and cannot be counted.
 */
function watchConnections(server: grpc.Server, faults: FaultInjector | undefined, counters: EchoCounters | undefined): void {
  const age = faults?.options.connectionAge ?? null;
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) throw new BenchError('this @grpc/grpc-js version does not expose the server hook fault injection and connection counting need (http2Servers)');
  for (const http2Server of (servers as Map<http2.Http2Server, unknown>).keys()) {
    http2Server.on('session', (session: http2.ServerHttp2Session) => {
      if (counters !== undefined) counters.connections++;
      faults?.connectionOpened();
      if (age === null) return;
      let grace: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        if (session.closed || session.destroyed) return;
        try {
          session.goaway(http2.constants.NGHTTP2_NO_ERROR, MAX_STREAM_ID, MAX_AGE_DEBUG_DATA);
        } catch {
          return void session.destroy();
        }
        faults?.connectionAgedOut();
        session.close();
        if (age.graceMs !== null) {
          grace = setTimeout(() => session.destroy(), age.graceMs);
          grace.unref();
        }
      }, age.ageMs);
      timer.unref();
      session.once('close', () => {
        clearTimeout(timer);
        clearTimeout(grace);
      });
    });
  }
}
