/**
 * gRPC length-prefixed messages out of HTTP/2 DATA chunks: 1 byte compressed flag, 4 bytes
 * big-endian length, the message. Messages that lie inside one chunk are handed on in place;
 * one that spans chunks is assembled once, into a buffer of its exact size.
 */
import { Status } from '../status-codes.js';
import { callStatus } from './call-status.js';
import type { CallStatus } from '../transport.js';

export interface MessageSink {
  /** A whole message `buf[start, end)`; returning false stops the deframer (the call is over). */
  onMessage(buf: Buffer, start: number, end: number, compressed: boolean): boolean;
}

const HEADER = 5;

export class MessageDeframer {
  private readonly header = Buffer.alloc(HEADER);
  private headerHave = 0;
  private body: Buffer | null = null;
  private bodyHave = 0;
  private compressed = false;

  constructor(private readonly maxMessageSize: number) {}

  /** Whether a message has begun and not ended (its rest never came). */
  get partial(): boolean {
    return this.headerHave > 0 || this.body !== null;
  }

  /** Feeds one chunk; returns the status to fail the call with, or null. */
  push(chunk: Buffer, sink: MessageSink): CallStatus | null {
    const n = chunk.length;
    let at = 0;
    if (this.headerHave > 0 || this.body !== null) {
      at = this.continuePartial(chunk, sink);
      if (at < 0) return this.failure;
    }
    while (at < n) {
      if (n - at < HEADER) {
        chunk.copy(this.header, 0, at, n);
        this.headerHave = n - at;
        return null;
      }
      const flag = chunk[at] as number;
      const length = ((chunk[at + 1] as number) * 0x1000000 + ((chunk[at + 2] as number) << 16)) + ((chunk[at + 3] as number) << 8) + (chunk[at + 4] as number);
      const problem = this.check(flag, length);
      if (problem !== null) return problem;
      const start = at + HEADER;
      if (n - start >= length) {
        at = start + length;
        if (!sink.onMessage(chunk, start, at, flag === 1)) return null;
        continue;
      }
      this.startBody(flag, length);
      const body = this.body as Buffer;
      chunk.copy(body, 0, start, n);
      this.bodyHave = n - start;
      return null;
    }
    return null;
  }

  private failure: CallStatus | null = null;

  /** Completes a message begun in an earlier chunk; returns the offset after it, or -1 (stop). */
  private continuePartial(chunk: Buffer, sink: MessageSink): number {
    let at = 0;
    if (this.body === null) {
      const take = Math.min(HEADER - this.headerHave, chunk.length);
      chunk.copy(this.header, this.headerHave, 0, take);
      this.headerHave += take;
      at = take;
      if (this.headerHave < HEADER) return chunk.length;
      this.headerHave = 0;
      const flag = this.header[0] as number;
      const length = this.header.readUInt32BE(1);
      const problem = this.check(flag, length);
      if (problem !== null) {
        this.failure = problem;
        return -1;
      }
      this.startBody(flag, length);
    }
    const body = this.body as Buffer;
    const take = Math.min(body.length - this.bodyHave, chunk.length - at);
    chunk.copy(body, this.bodyHave, at, at + take);
    this.bodyHave += take;
    at += take;
    if (this.bodyHave < body.length) return chunk.length;
    this.body = null;
    return sink.onMessage(body, 0, body.length, this.compressed) ? at : chunk.length;
  }

  private startBody(flag: number, length: number): void {
    this.body = Buffer.allocUnsafe(length);
    this.bodyHave = 0;
    this.compressed = flag === 1;
  }

  private check(flag: number, length: number): CallStatus | null {
    if (flag > 1) return callStatus(Status.INTERNAL, `Received a message with an invalid compressed flag ${flag} (must be 0 or 1)`, 'protocol');
    if (length > this.maxMessageSize) return callStatus(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.maxMessageSize})`, 'protocol');
    return null;
  }
}
