/**
 * One TCP connection with one HTTP/2 session, and the RouteChat calls it carries. The socket
 * is made here (TCP_NODELAY, as grpc-js does), so connection set-up is in our hands; the
 * session announces the flow-control window in its SETTINGS and widens the connection window
 * once the server's SETTINGS arrived.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { parseTarget } from '../../config/target.js';
import { ROUTE_CHAT_PATH } from '../../grpc/proto.js';
import type { ConnectionSettings, Payloads, StreamHandler, TransportConnection, TransportStream, WireBytes } from '../transport.js';
import { H2Call, type CallHost } from './h2-call.js';
import { MessageEncoder } from './message-encoder.js';
import { compressorFor, type SyncZlib } from './sync-zlib.js';

/** Announced in user-agent, as grpc-js announces "grpc-node-js/<version>". */
export const USER_AGENT = 'grpc-stream-bench-h2/1';

const DEFAULT_WINDOW = 65_535;

export function requestHeaders(settings: ConnectionSettings): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':scheme': 'http',
    ':authority': settings.target,
    ':path': ROUTE_CHAT_PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
    'user-agent': USER_AGENT,
    'grpc-accept-encoding': 'identity,deflate,gzip',
  };
  if (settings.compression !== 'identity') headers['grpc-encoding'] = settings.compression;
  return headers;
}

export class H2Connection implements TransportConnection, CallHost {
  readonly maxMessageSize: number;
  private readonly calls = new Set<H2Call>();
  private readonly headers: http2.OutgoingHttpHeaders;
  private readonly compressor: SyncZlib | null;
  private readonly encoders = new Map<Payloads, MessageEncoder>();
  private readonly wire: WireBytes = { sent: 0, received: 0 };
  private lost = false;
  private lastSocketError: string | null = null;

  constructor(
    private readonly session: http2.ClientHttp2Session,
    socket: net.Socket,
    settings: ConnectionSettings,
  ) {
    this.maxMessageSize = settings.maxMessageSize;
    this.headers = requestHeaders(settings);
    this.compressor = settings.compression === 'identity' ? null : compressorFor(settings.compression);
    // Node closes every stream of a lost session; their 'close' then reads `dropped()`.
    const lose = (): void => {
      this.lost = true;
    };
    socket.on('error', (error: Error) => {
      this.lastSocketError ??= error.message;
    });
    session.on('error', (error: Error) => {
      this.lastSocketError ??= error.message;
    });
    session.on('goaway', (errorCode: number) => {
      if (errorCode !== http2.constants.NGHTTP2_NO_ERROR) this.lastSocketError ??= `GOAWAY with error code ${errorCode}`;
    });
    session.on('close', lose);
    socket.on('close', lose);
  }

  openStream(handler: StreamHandler, payloads: Payloads): TransportStream {
    let encoder = this.encoders.get(payloads);
    if (encoder === undefined) {
      encoder = new MessageEncoder(payloads, this.compressor);
      this.encoders.set(payloads, encoder);
    }
    const call = new H2Call(this.session, this.headers, this, handler, encoder, payloads);
    this.calls.add(call);
    return call;
  }

  wireBytes(): WireBytes {
    return { ...this.wire };
  }

  close(): void {
    for (const call of [...this.calls]) call.cancel();
    if (!this.session.destroyed) this.session.close();
    const timer = setTimeout(() => this.session.destroy(), 1_000);
    timer.unref();
  }

  dropped(): boolean {
    return this.lost || this.session.destroyed;
  }

  socketError(): string | null {
    return this.lastSocketError;
  }

  countSent(bytes: number): void {
    this.wire.sent += bytes;
  }

  countReceived(bytes: number): void {
    this.wire.received += bytes;
  }

  forget(call: H2Call): void {
    this.calls.delete(call);
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Connects and waits for the server's SETTINGS (proof that an HTTP/2 server answers). */
export async function connectH2(settings: ConnectionSettings): Promise<H2Connection> {
  const { host, port } = parseTarget(settings.target, true);
  const started = Date.now();
  let socket: net.Socket;
  try {
    socket = await openSocket(host, port, settings.connectTimeoutMs);
  } catch (error) {
    throw new Error(`cannot connect to ${settings.target}: ${(error as Error).message}`);
  }
  const session = http2.connect(`http://${settings.target}`, {
    createConnection: () => socket,
    settings: { initialWindowSize: settings.window ?? DEFAULT_WINDOW, enablePush: false },
    // As grpc-js: Node's per-session memory cap would reset streams under heavy load.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const left = Math.max(1, settings.connectTimeoutMs - (Date.now() - started));
      const timer = setTimeout(() => reject(new Error(`no HTTP/2 SETTINGS within ${left} ms: is it a gRPC (HTTP/2) server?`)), left);
      session.once('remoteSettings', () => {
        clearTimeout(timer);
        resolve();
      });
      session.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      session.once('close', () => {
        clearTimeout(timer);
        reject(new Error('the server closed the connection before its HTTP/2 SETTINGS'));
      });
    });
  } catch (error) {
    session.destroy();
    throw new Error(`cannot connect to ${settings.target}: ${(error as Error).message}`);
  }
  session.removeAllListeners('error');
  session.removeAllListeners('close');
  if (settings.window !== null && settings.window > DEFAULT_WINDOW) session.setLocalWindowSize(settings.window);
  return new H2Connection(session, socket, settings);
}
