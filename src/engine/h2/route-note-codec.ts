/**
 * RouteNote (`string message = 1;`) on the wire, without a protobuf runtime: tag 0x0a, a
 * varint length, the UTF-8 bytes. Decoding parses in place and skips unknown fields, as any
 * protobuf parser must.
 */

/** Field 1, wire type 2 (length-delimited). */
export const MESSAGE_TAG = 0x0a;

export function varintLength(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Writes `n` as a varint at `offset`; returns the offset after it. */
export function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/** Encoded length of a RouteNote whose message is `messageBytes` long. */
export function routeNoteLength(messageBytes: number): number {
  return 1 + varintLength(messageBytes) + messageBytes;
}

/** Where the message string lies in a parsed RouteNote. */
export interface Span {
  start: number;
  end: number;
}

/** Reads a varint at `at`; returns [value, next offset], or null past `end` or beyond 2^53. */
function readVarint(buf: Buffer, at: number, end: number, out: Span): boolean {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && at < end; i++) {
    const byte = buf[at++] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      out.start = value;
      out.end = at;
      return true;
    }
    scale *= 128;
  }
  return false;
}

const scratch: Span = { start: 0, end: 0 };

/**
 * Parses the RouteNote in `buf[start, end)` and puts its message's byte range into `out`
 * (empty when the field is absent; the last occurrence wins, as protobuf says). Returns
 * false when the bytes are not a valid protobuf message.
 */
export function parseRouteNote(buf: Buffer, start: number, end: number, out: Span): boolean {
  out.start = start;
  out.end = start;
  let at = start;
  while (at < end) {
    if (!readVarint(buf, at, end, scratch)) return false;
    const key = scratch.start;
    at = scratch.end;
    const wireType = key & 7;
    if (key < 8) return false; // field number 0 is invalid
    switch (wireType) {
      case 0: // varint
        if (!readVarint(buf, at, end, scratch)) return false;
        at = scratch.end;
        break;
      case 1: // fixed64
        at += 8;
        break;
      case 2: {
        if (!readVarint(buf, at, end, scratch)) return false;
        const length = scratch.start;
        at = scratch.end;
        if (length > end - at) return false;
        if (key === MESSAGE_TAG) {
          out.start = at;
          out.end = at + length;
        }
        at += length;
        break;
      }
      case 5: // fixed32
        at += 4;
        break;
      default:
        return false; // groups (3, 4) and reserved types
    }
    if (at > end) return false;
  }
  return true;
}
