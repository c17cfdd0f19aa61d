/**
 * One RouteChat call on an HTTP/2 session: request headers, batched message writes,
 * in-place parsing of the echoes and the final status (trailers, trailers-only response,
 * RST_STREAM or a lost connection).
 *
 * Writes made while the call's own echoes are being dispatched go out in one HTTP/2 write
 * after the chunk is parsed; other writes are gathered until the end of the current task
 * (a microtask), so a burst of sends also becomes one write.
 */
import * as http2 from 'node:http2';
import { Status } from '../status-codes.js';
import { BACKEND_ID_HEADER, type CallStatus, type Echo, type Payloads, type StreamHandler, type TransportStream } from '../transport.js';
import { callStatus, isGrpcContentType, statusFromHttp, statusFromReset, statusFromTrailers } from './call-status.js';
import { MessageDeframer, type MessageSink } from './message-deframer.js';
import type { MessageEncoder } from './message-encoder.js';
import { parseRouteNote, type Span } from './route-note-codec.js';
import { decompressorFor, OutputTooLargeError, type SyncZlib } from './sync-zlib.js';

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

/** What a call needs of its connection. */
export interface CallHost {
  readonly maxMessageSize: number;
  /** The server's address (host:port) as the socket sees it. */
  readonly peer: string;
  /** Whether the connection was lost (streams that end without a status then read UNAVAILABLE). */
  dropped(): boolean;
  socketError(): string | null;
  countSent(bytes: number): void;
  countReceived(bytes: number): void;
  forget(call: H2Call): void;
}

const NO_BYTES = Buffer.alloc(0);

/**
 * The status of a request node:http2 would not send. When the connection was going away or gone,
 * the request never left, so the server cannot have processed it; anything else (a header node
 * refuses) is the harness's own error.
 */
function requestFailure(error: unknown): CallStatus {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_HTTP2_GOAWAY_SESSION') return { ...callStatus(Status.UNAVAILABLE, 'the server sent GOAWAY: no new streams on this connection', 'transport'), unprocessed: true };
  if (code === 'ERR_HTTP2_INVALID_SESSION') return { ...callStatus(Status.UNAVAILABLE, 'Connection dropped', 'transport'), unprocessed: true };
  if (code === 'ERR_HTTP2_OUT_OF_STREAMS') return { ...callStatus(Status.UNAVAILABLE, 'the connection ran out of stream ids', 'transport'), unprocessed: true };
  return callStatus(Status.INTERNAL, `the request could not be sent: ${error instanceof Error ? error.message : String(error)}`, 'harness');
}

/** An echo in the received bytes, looked at in place. */
class BufferEcho implements Echo {
  buf: Buffer = NO_BYTES;
  readonly span: Span = { start: 0, end: 0 };
  constructor(private readonly payloads: Payloads) {}
  get bytes(): number {
    return this.span.end - this.span.start;
  }
  isEchoOf(seq: number): boolean {
    return this.payloads.isEchoBytes(this.buf, this.span.start, this.span.end, seq);
  }
  text(): string {
    return this.buf.toString('utf8', this.span.start, this.span.end);
  }
}

export class H2Call implements TransportStream, MessageSink {
  private readonly stream: http2.ClientHttp2Stream | null = null;
  private readonly deframer: MessageDeframer;
  private readonly echo: BufferEcho;
  private pendingFirst = 0;
  private pendingCount = 0;
  private flushQueued = false;
  private dispatching = false;
  private blocked = false;
  private halfClosed = false;
  /** onEnd was delivered or the call was cancelled: nothing more is reported. */
  private over = false;
  private httpStatus = 0;
  private status: CallStatus | null = null;
  private decompressor: SyncZlib | null | undefined = null;
  private responseEncoding = 'identity';

  constructor(
    session: http2.ClientHttp2Session,
    headers: http2.OutgoingHttpHeaders,
    private readonly host: CallHost,
    private readonly handler: StreamHandler,
    private readonly encoder: MessageEncoder,
    payloads: Payloads,
  ) {
    this.deframer = new MessageDeframer(host.maxMessageSize);
    this.echo = new BufferEcho(payloads);
    try {
      this.stream = session.request(headers, { endStream: false });
    } catch (error) {
      const status = requestFailure(error);
      queueMicrotask(() => this.finish(status));
      return;
    }
    const stream = this.stream;
    stream.on('response', (h, flags) => this.onResponse(h, flags));
    stream.on('trailers', (h) => {
      this.status ??= statusFromTrailers(h, this.httpStatus);
    });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // Trailers come before 'end'. Without them the stream has no status: a lost connection
    // also ends the stream before it is closed, so decide once pending I/O events have run.
    stream.on('end', () => {
      if (this.status !== null) this.finish(this.status);
      else setImmediate(() => this.onClose());
    });
    stream.on('close', () => this.onClose());
    stream.on('error', () => undefined); // the 'close' that follows decides the status
    stream.on('drain', () => {
      this.blocked = false;
      if (!this.over) this.handler.onDrain();
    });
  }

  write(seq: number): boolean {
    if (this.over || this.halfClosed || this.stream === null) return true;
    if (this.pendingCount > 0 && seq !== this.pendingFirst + this.pendingCount) this.flush();
    if (this.pendingCount === 0) this.pendingFirst = seq;
    this.pendingCount++;
    if (!this.dispatching && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
    return !this.blocked;
  }

  halfClose(): void {
    if (this.over || this.halfClosed || this.stream === null) return;
    this.flush();
    this.halfClosed = true;
    this.stream.end();
  }

  sentTo(): string {
    return this.host.peer;
  }

  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.pendingCount = 0;
    this.host.forget(this);
    if (this.stream !== null && !this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
  }

  onMessage(buf: Buffer, start: number, end: number, compressed: boolean): boolean {
    let data = buf;
    if (compressed) {
      if (this.decompressor === null) {
        this.fail(callStatus(Status.INTERNAL, 'Received compressed message but "grpc-encoding" header was identity', 'protocol'));
        return false;
      }
      if (this.decompressor === undefined) {
        this.fail(callStatus(Status.INTERNAL, `Received message compressed with unsupported compression method ${this.responseEncoding}`, 'protocol'));
        return false;
      }
      try {
        data = this.decompressor.run(buf.subarray(start, end), this.host.maxMessageSize);
      } catch (error) {
        const tooLarge = error instanceof OutputTooLargeError;
        this.fail(
          tooLarge
            ? callStatus(Status.RESOURCE_EXHAUSTED, `Received message that decompresses to a size larger than ${this.host.maxMessageSize}`, 'protocol')
            : callStatus(Status.INTERNAL, `Failed to decompress a ${this.responseEncoding} message: ${(error as Error).message}`, 'protocol'),
        );
        return false;
      }
      start = 0;
      end = data.length;
    }
    const echo = this.echo;
    if (!parseRouteNote(data, start, end, echo.span)) {
      this.fail(callStatus(Status.INTERNAL, 'Response message parsing error: not a valid RouteNote', 'protocol'));
      return false;
    }
    echo.buf = data;
    this.handler.onEcho(echo);
    // Let go of the received chunk now: held until the stream's next echo (up to seconds with
    // thousands of slow streams) it would survive into the old generation, once per message.
    echo.buf = NO_BYTES;
    return !this.over;
  }

  private readonly flushTask = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  private flush(): void {
    if (this.pendingCount === 0 || this.over || this.stream === null) return;
    const batch = this.encoder.encode(this.pendingFirst, this.pendingCount);
    this.pendingCount = 0;
    this.host.countSent(batch.length);
    if (!this.stream.write(batch)) this.blocked = true;
  }

  private onResponse(headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number): void {
    if (this.over) return;
    this.httpStatus = Number(headers[':status'] ?? 0);
    if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
      // Trailers-only: the status is in these headers; 'end' follows.
      const status = statusFromTrailers(headers, this.httpStatus);
      // Not a set-up: the call was answered with its end (as grpc-js, no headers event).
      this.status = headers['grpc-status'] === undefined && this.httpStatus === 200 && !isGrpcContentType(headers['content-type']) ? wrongContentType(headers['content-type']) : status;
      return;
    }
    if (this.httpStatus !== 200) return this.fail(statusFromHttp(this.httpStatus));
    if (!isGrpcContentType(headers['content-type'])) return this.fail(wrongContentType(headers['content-type']));
    const encoding = headers['grpc-encoding'];
    this.responseEncoding = typeof encoding === 'string' ? encoding : 'identity';
    this.decompressor = decompressorFor(this.responseEncoding);
    const backend = headers[BACKEND_ID_HEADER];
    this.handler.onHeaders(typeof backend === 'string' && backend !== '' ? backend : this.host.peer);
  }

  private onData(chunk: Buffer): void {
    if (this.over) return;
    this.host.countReceived(chunk.length);
    this.dispatching = true;
    const failure = this.deframer.push(chunk, this);
    this.dispatching = false;
    if (failure !== null) return this.fail(failure);
    this.flush();
  }

  private onClose(): void {
    if (this.over) return;
    const stream = this.stream as http2.ClientHttp2Stream;
    if (this.status !== null) return this.finish(this.status);
    this.finish(statusFromReset(stream.rstCode ?? NGHTTP2_NO_ERROR, this.httpStatus, this.host.dropped(), this.host.socketError()));
  }

  /** The client ends the call (bad response): RST_STREAM CANCEL, status reported. */
  private fail(status: CallStatus): void {
    if (this.over) return;
    this.status = status;
    if (this.stream !== null && !this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
    this.finish(status);
  }

  private finish(status: CallStatus): void {
    if (this.over) return;
    this.over = true;
    this.pendingCount = 0;
    this.host.forget(this);
    // The server ended the call while we still had the stream open: close our side too.
    if (this.stream !== null && !this.stream.closed && !this.halfClosed) this.stream.close(NGHTTP2_NO_ERROR);
    this.handler.onEnd(status);
  }
}

function wrongContentType(value: string | undefined): CallStatus {
  return callStatus(Status.UNKNOWN, `Received a response that is not gRPC (content-type ${value === undefined ? 'missing' : `"${value}"`})`, 'protocol');
}
