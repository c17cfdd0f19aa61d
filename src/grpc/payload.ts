import { ECHO_PREFIX } from '../config/defaults.js';
import type { Payloads } from '../engine/transport.js';

const PREFIX = Buffer.from(ECHO_PREFIX);

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/**
 * RouteNote.message payloads of a fixed length that carry their sequence number: the decimal
 * sequence number written over the start of a fixed printable-ASCII pattern (characters =
 * bytes). Below the number's length the payload keeps its last digits. The pattern sets the
 * entropy (see payload-pattern.ts); the default is '.' padding.
 */
export class PayloadFactory implements Payloads {
  readonly size: number;
  /** UTF-8 length of an echo: "Server received: " + payload. */
  readonly echoBytes: number;
  private readonly pattern: Buffer;
  private readonly patternText: string;

  constructor(size: number, pattern: Buffer = Buffer.alloc(size, '.')) {
    if (pattern.length !== size) throw new RangeError(`payload pattern must be ${size} bytes, got ${pattern.length}`);
    this.size = size;
    this.echoBytes = PREFIX.length + size;
    this.pattern = pattern;
    this.patternText = pattern.toString('latin1');
  }

  make(seq: number): string {
    const digits = String(seq);
    if (digits.length >= this.size) return digits.slice(digits.length - this.size);
    return digits + this.patternText.slice(digits.length);
  }

  byteLength(): number {
    return this.size;
  }

  writeTo(target: Buffer, offset: number, seq: number): void {
    this.pattern.copy(target, offset);
    let v = seq;
    for (let i = Math.min(digitCount(seq), this.size) - 1; i >= 0; i--) {
      target[offset + i] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  /** Whether `reply` is exactly the echo of message `seq` (compared in place: no payload is rebuilt). */
  isEcho(reply: string, seq: number): boolean {
    if (reply.length !== this.echoBytes || !reply.startsWith(ECHO_PREFIX)) return false;
    const digits = String(seq);
    if (digits.length >= this.size) return reply.endsWith(digits.slice(digits.length - this.size));
    return reply.startsWith(digits, ECHO_PREFIX.length) && reply.endsWith(this.patternText.slice(digits.length));
  }

  isEchoBytes(buf: Buffer, start: number, end: number, seq: number): boolean {
    if (end - start !== this.echoBytes || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0) return false;
    const at = start + PREFIX.length;
    const n = Math.min(digitCount(seq), this.size);
    let v = seq;
    for (let i = n - 1; i >= 0; i--) {
      if (buf[at + i] !== 48 + (v % 10)) return false;
      v = Math.floor(v / 10);
    }
    return n === this.size || buf.compare(this.pattern, n, this.size, at + n, end) === 0;
  }

  /** Cheap plausibility check done on every reply: the echo has the expected length. */
  hasEchoLength(reply: string): boolean {
    return reply.length === this.echoBytes;
  }
}

/** Fixed messages, e.g. the ones `chat` sends: message `seq` is `messages[seq]`. */
export class FixedPayloads implements Payloads {
  private readonly encoded: Buffer[];

  constructor(private readonly messages: readonly string[]) {
    this.encoded = messages.map((m) => Buffer.from(m));
  }

  make(seq: number): string {
    return this.messages[seq] ?? '';
  }

  byteLength(seq: number): number {
    return this.encoded[seq]?.length ?? 0;
  }

  writeTo(target: Buffer, offset: number, seq: number): void {
    this.encoded[seq]?.copy(target, offset);
  }

  isEcho(reply: string, seq: number): boolean {
    return reply === ECHO_PREFIX + this.make(seq);
  }

  isEchoBytes(buf: Buffer, start: number, end: number, seq: number): boolean {
    return this.isEcho(buf.toString('utf8', start, end), seq);
  }
}
