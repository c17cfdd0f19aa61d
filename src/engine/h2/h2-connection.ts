/**
 * One TCP connection with one HTTP/2 session, and the RouteChat calls it carries. The socket
 * is made here (TCP_NODELAY, as grpc-js does), so connection set-up is in our hands; the
 * session announces the flow-control window in its SETTINGS and widens the connection window
 * once the server's SETTINGS arrived.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { describeTlsFailure } from '../../security/tls-failure.js';
import { formatTarget, parseTarget } from '../../config/target.js';
import { MAX_CONCURRENT_STREAMS } from '../../config/defaults.js';
import { ROUTE_CHAT_PATH } from '../../grpc/proto.js';
import type { ClientTls, ConnectionSettings, Payloads, StreamHandler, TransportConnection, TransportStream, WireBytes } from '../transport.js';
import { H2Call, type CallHost } from './h2-call.js';
import { RefusedCall, streamLimitStatus } from './refused-call.js';
import { MessageEncoder } from './message-encoder.js';
import { compressorFor, type SyncZlib } from './sync-zlib.js';

/** Announced in user-agent, as grpc-js announces "grpc-node-js/<version>". */
export const USER_AGENT = 'grpc-stream-bench-h2/1';

const DEFAULT_WINDOW = 65_535;

const TLS_CLOSED_EARLY =
  'the server closed the TLS connection before HTTP/2 started: it may have rejected the client certificate (mTLS: give --cert/--key issued by a CA it trusts) or not speak HTTP/2';

export function requestHeaders(settings: ConnectionSettings): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':scheme': settings.tls === null ? 'http' : 'https',
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
  /** The server sent GOAWAY: no new streams on this connection. */
  private goaway = false;
  private lastSocketError: string | null = null;

  private readonly callMetadata: (() => Record<string, string>) | null;
  readonly peer: string;

  constructor(
    private readonly session: http2.ClientHttp2Session,
    socket: net.Socket,
    settings: ConnectionSettings,
    readonly connectMs: number,
  ) {
    this.callMetadata = settings.callMetadata;
    this.peer = socket.remoteAddress !== undefined && socket.remotePort !== undefined ? formatTarget({ host: socket.remoteAddress, port: socket.remotePort }) : settings.target;
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
      this.goaway = true;
      if (errorCode !== http2.constants.NGHTTP2_NO_ERROR) this.lastSocketError ??= `GOAWAY with error code ${errorCode}`;
    });
    session.on('close', lose);
    socket.on('close', lose);
  }

  openStream(handler: StreamHandler, payloads: Payloads): TransportStream {
    // node:http2 would queue a stream over the server's limit until another one ends: refuse it.
    const limit = this.session.remoteSettings.maxConcurrentStreams;
    if (limit !== undefined && this.calls.size >= limit) return new RefusedCall(handler, streamLimitStatus(limit));
    let encoder = this.encoders.get(payloads);
    if (encoder === undefined) {
      encoder = new MessageEncoder(payloads, this.compressor);
      this.encoders.set(payloads, encoder);
    }
    const headers = this.callMetadata === null ? this.headers : { ...this.headers, ...this.callMetadata() };
    const call = new H2Call(this.session, headers, this, handler, encoder, payloads);
    this.calls.add(call);
    return call;
  }

  wireBytes(): WireBytes {
    return { ...this.wire };
  }

  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (2^32 − 1 when it advertised none). */
  peerStreamLimit(): number | null {
    return this.session.remoteSettings.maxConcurrentStreams ?? null;
  }

  isOpen(): boolean {
    return !this.lost && !this.goaway && !this.session.closed && !this.session.destroyed;
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

function openSocket(host: string, port: number, clientTls: ClientTls | null, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = clientTls === null ? net.connect({ host, port }) : tls.connect(tlsOptions(host, port, clientTls));
    const ready = clientTls === null ? 'connect' : 'secureConnect';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${clientTls === null ? 'TCP connection' : 'TLS session'} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (socket instanceof tls.TLSSocket && socket.alpnProtocol !== 'h2') {
        socket.destroy();
        reject(new Error(`the server did not agree to HTTP/2 in the TLS handshake (ALPN: ${socket.alpnProtocol || 'none'}); gRPC needs h2`));
        return;
      }
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function tlsOptions(host: string, port: number, clientTls: ClientTls): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { host, port, ALPNProtocols: ['h2'] };
  if (clientTls.ca !== null) options.ca = clientTls.ca;
  if (clientTls.cert !== null) options.cert = clientTls.cert;
  if (clientTls.key !== null) options.key = clientTls.key;
  // SNI carries names, not addresses; the certificate is checked against serverName or the host.
  const name = clientTls.serverName ?? host;
  if (net.isIP(name) === 0) options.servername = name;
  else options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  return options;
}

/** Connects and waits for the server's SETTINGS (proof that an HTTP/2 server answers). */
export async function connectH2(settings: ConnectionSettings): Promise<H2Connection> {
  const { host, port } = parseTarget(settings.target, true);
  const started = Date.now();
  const startedMs = performance.now();
  let socket: net.Socket;
  try {
    socket = await openSocket(host, port, settings.tls, settings.connectTimeoutMs);
  } catch (error) {
    throw new Error(`cannot connect to ${settings.target}: ${settings.tls === null ? (error as Error).message : describeTlsFailure(error, settings.tls.serverName ?? host)}`);
  }
  const session = http2.connect(`${settings.tls === null ? 'http' : 'https'}://${settings.target}`, {
    createConnection: () => socket,
    // No limit of our own on streams the server may open (it opens none), and until the
    // server's SETTINGS arrive (they are awaited below) none assumed for it.
    settings: { initialWindowSize: settings.window ?? DEFAULT_WINDOW, enablePush: false, maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
    peerMaxConcurrentStreams: MAX_CONCURRENT_STREAMS,
    // As grpc-js: Node's per-session memory cap would reset streams under heavy load.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  let onSocketError: (error: Error) => void = () => undefined;
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
        reject(new Error(settings.tls === null ? 'the server closed the connection before its HTTP/2 SETTINGS' : TLS_CLOSED_EARLY));
      });
      // A TLS 1.3 server checks the client certificate after the handshake: its alert arrives
      // on the socket, which the session does not report.
      onSocketError = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', onSocketError);
    });
    socket.off('error', onSocketError);
  } catch (error) {
    session.destroy();
    // With TLS 1.3 a rejected client certificate shows only now, as an alert on the first read.
    throw new Error(`cannot connect to ${settings.target}: ${settings.tls === null ? (error as Error).message : describeTlsFailure(error, settings.tls.serverName ?? host)}`);
  }
  session.removeAllListeners('error');
  session.removeAllListeners('close');
  if (settings.window !== null && settings.window > DEFAULT_WINDOW) session.setLocalWindowSize(settings.window);
  return new H2Connection(session, socket, settings, performance.now() - startedMs);
}
