/**
 * Builds the gRPC length-prefixed RouteNote messages for a run of consecutive sequence
 * numbers into one buffer (one HTTP/2 write for a whole batch). Uncompressed messages are
 * laid out directly: header, tag, length, payload bytes stamped by the payload source.
 * Compressed ones go through a synchronous, reused zlib stream one by one (gRPC compresses
 * each message on its own).
 */
import type { Payloads } from '../transport.js';
import { MESSAGE_TAG, routeNoteLength, writeVarint } from './route-note-codec.js';
import type { SyncZlib } from './sync-zlib.js';

const HEADER = 5;

function writeHeader(buf: Buffer, at: number, compressed: boolean, length: number): void {
  buf[at] = compressed ? 1 : 0;
  buf[at + 1] = length >>> 24;
  buf[at + 2] = (length >>> 16) & 0xff;
  buf[at + 3] = (length >>> 8) & 0xff;
  buf[at + 4] = length & 0xff;
}

/** Writes the RouteNote of message `seq` at `at`; returns the offset after it. */
function writeRouteNote(buf: Buffer, at: number, payloads: Payloads, seq: number, messageBytes: number): number {
  buf[at] = MESSAGE_TAG;
  const start = writeVarint(buf, at + 1, messageBytes);
  payloads.writeTo(buf, start, seq);
  return start + messageBytes;
}

export class MessageEncoder {
  private scratch = Buffer.allocUnsafe(0);

  constructor(
    private readonly payloads: Payloads,
    /** null: identity. */
    private readonly compressor: SyncZlib | null,
  ) {}

  /** Messages first … first + count − 1, framed, in one buffer. */
  encode(first: number, count: number): Buffer {
    return this.compressor === null ? this.encodePlain(first, count) : this.encodeCompressed(first, count, this.compressor);
  }

  private encodePlain(first: number, count: number): Buffer {
    const payloads = this.payloads;
    let total = 0;
    for (let seq = first; seq < first + count; seq++) total += HEADER + routeNoteLength(payloads.byteLength(seq));
    const buf = Buffer.allocUnsafe(total);
    let at = 0;
    for (let seq = first; seq < first + count; seq++) {
      const bytes = payloads.byteLength(seq);
      writeHeader(buf, at, false, routeNoteLength(bytes));
      at = writeRouteNote(buf, at + HEADER, payloads, seq, bytes);
    }
    return buf;
  }

  private encodeCompressed(first: number, count: number, compressor: SyncZlib): Buffer {
    const parts: Buffer[] = [];
    let total = 0;
    for (let seq = first; seq < first + count; seq++) {
      const bytes = this.payloads.byteLength(seq);
      const plainLength = routeNoteLength(bytes);
      if (this.scratch.length < plainLength) this.scratch = Buffer.allocUnsafe(plainLength);
      writeRouteNote(this.scratch, 0, this.payloads, seq, bytes);
      const compressed = compressor.run(this.scratch.subarray(0, plainLength));
      const header = Buffer.allocUnsafe(HEADER);
      writeHeader(header, 0, true, compressed.length);
      parts.push(header, compressed);
      total += HEADER + compressed.length;
    }
    return Buffer.concat(parts, total);
  }
}
