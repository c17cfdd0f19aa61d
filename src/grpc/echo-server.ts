import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { ECHO_PREFIX } from '../config/defaults.js';
import { BenchError } from '../errors.js';
import type { RouteNote, RouteNote__Output } from '../generated/stream/RouteNote.js';
import { createAuthInterceptor, type AuthEvent } from '../security/auth-interceptor.js';
import type { AuthVerifier } from '../security/jwt-verifier.js';
import { serverCredentials, type ServerTlsOptions } from '../security/server-tls.js';
import { loadPackageDefinition, loadStreamProto } from './proto.js';
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
}

export interface RunningEchoServer {
  host: string;
  port: number;
  /** Stops accepting, lets open streams finish for up to graceMs, then closes them. */
  shutdown(graceMs: number): Promise<void>;
}

type RouteChatCall = grpc.ServerDuplexStream<RouteNote__Output, RouteNote>;

/** The RouteChat handler: one echo per note, in order; ends with OK after the client half-closes. */
export function makeRouteChatHandler(delayMs: number): (call: RouteChatCall) => void {
  return (call) => {
    let paused = false;
    let pending = 0;
    let clientDone = false;
    const resume = (): void => {
      paused = false;
      call.resume();
    };
    const echo = (note: RouteNote__Output): void => {
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
    interceptors: options.auth === undefined ? [] : [createAuthInterceptor(options.auth, options.onAuthEvent)],
  });
  const proto = loadStreamProto();
  server.addService(proto.stream.StreamService.service, { RouteChat: makeRouteChatHandler(options.delayMs) });
  new ReflectionService(loadPackageDefinition() as never).addToServer(server);
  if (options.window !== null) setServerStreamWindow(server, options.window);

  const address = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, serverCredentials(options.tls), (error, boundPort) => {
      if (error) reject(new BenchError(`cannot listen on ${address}: ${error.message}`));
      else resolve(boundPort);
    });
  });
  if (options.window !== null) setServerConnectionWindow(server, options.window);

  return {
    host: options.host,
    port,
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
