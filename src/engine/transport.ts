/**
 * The one small interface between the load generator and a gRPC client engine: connect,
 * open a RouteChat stream, write message `seq`, and get echoes, drain, response headers and
 * the final status back as callbacks. `load/` only knows this interface; `engine/grpc-js/`
 * and `engine/h2/` implement it.
 */
import type { RichStatus } from '../resilience/rich-status.js';
import type { Compression, LbPolicy } from '../types.js';

export { BACKEND_ID_HEADER } from '../grpc/proto.js';

export const ENGINES = ['h2', 'grpc-js'] as const;
export type EngineName = (typeof ENGINES)[number];

/** The RouteNote.message strings a stream sends, by sequence number, and how their echoes are checked. */
export interface Payloads {
  /** RouteNote.message of message `seq` (grpc-js engine). */
  make(seq: number): string;
  /** UTF-8 byte length of message `seq`. */
  byteLength(seq: number): number;
  /** Writes the UTF-8 bytes of message `seq` at `target[offset ..]`. */
  writeTo(target: Buffer, offset: number, seq: number): void;
  /** Whether `reply` is exactly the echo ("Server received: " + message) of message `seq`. */
  isEcho(reply: string, seq: number): boolean;
  /** The same check on the UTF-8 bytes `buf[start, end)`, compared in place. */
  isEchoBytes(buf: Buffer, start: number, end: number, seq: number): boolean;
}

/** One echo as it arrived; valid only during the onEcho call (engines reuse the object). */
export interface Echo {
  /** UTF-8 byte length of the reply's RouteNote.message. */
  readonly bytes: number;
  /** Whether it is exactly the echo of message `seq`. */
  isEchoOf(seq: number): boolean;
  /** The reply text. */
  text(): string;
}

/** Where a status came from (classification): the server's trailers, the transport, a response the client refused, or the client itself. */
export type StatusOrigin = 'server' | 'transport' | 'protocol' | 'harness';

export interface CallStatus {
  /** gRPC status code (0 = OK). */
  code: number;
  details: string;
  origin: StatusOrigin;
  /** The google.rpc.Status of `grpc-status-details-bin`, when the server sent one. */
  rich: RichStatus | null;
  /** `grpc-retry-pushback-ms`, when the server sent it. */
  pushbackMs: number | null;
  /**
   * The stream was refused: RST_STREAM REFUSED_STREAM, or not opened because the server's
   * SETTINGS_MAX_CONCURRENT_STREAMS was reached on the connection.
   */
  refused?: boolean;
  /**
   * The server never processed the call (RST_STREAM REFUSED_STREAM, or the request never left
   * because the connection was going away): it may be retried transparently.
   */
  unprocessed?: boolean;
}

/** What a stream reports; every callback runs on the engine's thread, onEnd exactly once. */
export interface StreamHandler {
  /**
   * Response headers arrived: the stream is set up. `backend` names the server that took it: its
   * x-backend-id response header, else the peer address of the connection; null if unknown.
   */
  onHeaders(backend: string | null): void;
  onEcho(echo: Echo): void;
  /** Writes may go on after write() returned false. */
  onDrain(): void;
  /** The call is over (server status, reset, connection loss); nothing is reported after it. */
  onEnd(status: CallStatus): void;
}

export interface TransportStream {
  /** Sends message `seq`; false asks the sender to wait for onDrain (the message is still sent). */
  write(seq: number): boolean;
  /** No more messages: half-close; the server then ends the call with a status. */
  halfClose(): void;
  /** Ends the call at once (RST_STREAM CANCEL); onEnd is not called afterwards. */
  cancel(): void;
  /** The address (host:port) the call was sent to, as far as known (errors before headers are attributed to it). */
  sentTo?(): string | null;
}

/** TLS for a connection; PEM material already read. */
export interface ClientTls {
  /** CAs to trust; null: the system roots. */
  ca: Buffer | null;
  /** Client certificate and key (mTLS), or null. */
  cert: Buffer | null;
  key: Buffer | null;
  /** Name the server certificate must carry (and SNI) instead of the target host. */
  serverName: string | null;
}

export interface ConnectionSettings {
  /** host:port */
  target: string;
  /**
   * Client-side load balancing for engines that balance inside one channel (grpc-js): the
   * policy and every address; absent or null: `target` alone.
   */
  balancing?: { policy: LbPolicy; addresses: string[] } | null;
  /** null: plaintext (h2c). */
  tls: ClientTls | null;
  /** Headers sent with every new call (e.g. authorization), asked for when the call opens; null: none. */
  callMetadata: (() => Record<string, string>) | null;
  compression: Compression;
  /** HTTP/2 flow-control window (stream and connection), bytes; null = the HTTP/2 default. */
  window: number | null;
  maxMessageSize: number;
  connectTimeoutMs: number;
  /** Backoff between connection attempts for engines that reconnect by themselves (grpc-js); null: theirs. */
  reconnectBackoff?: { initialMs: number; maxMs: number } | null;
}

/** Bytes of HTTP/2 DATA (gRPC length-prefixed messages, after compression) so far. */
export interface WireBytes {
  sent: number;
  received: number;
}

/** One client connection (one HTTP/2 session) carrying many streams. */
export interface TransportConnection {
  /** How long connecting took: TCP, TLS handshake and the HTTP/2 preface (ms). */
  readonly connectMs: number;
  openStream(handler: StreamHandler, payloads: Payloads): TransportStream;
  /** Wire bytes so far, or null where the engine cannot see them. */
  wireBytes(): WireBytes | null;
  /** Whether new streams can be opened on it (false once it was lost or the server sent GOAWAY). */
  isOpen(): boolean;
  /** Closes the connection; open streams are cancelled. */
  close(): void;
}

export interface Engine {
  readonly name: EngineName;
  connect(settings: ConnectionSettings): Promise<TransportConnection>;
}
