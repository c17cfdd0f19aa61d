import { ECHO_PREFIX } from '../config/defaults.js';

/**
 * Builds RouteNote.message payloads of a fixed length that carry their sequence number:
 * the decimal sequence number, then '.' padding up to `size` characters (ASCII, so
 * characters = bytes). Below the number's length the payload keeps its last digits.
 */
export class PayloadFactory {
  readonly size: number;
  private readonly padding: string;

  constructor(size: number) {
    this.size = size;
    this.padding = '.'.repeat(size);
  }

  make(seq: number): string {
    const digits = String(seq);
    if (digits.length >= this.size) return digits.slice(digits.length - this.size);
    return digits + this.padding.slice(digits.length);
  }

  /** Whether `reply` is exactly the echo of message `seq` (compared in place: no payload is rebuilt). */
  isEcho(reply: string, seq: number): boolean {
    if (reply.length !== ECHO_PREFIX.length + this.size || !reply.startsWith(ECHO_PREFIX)) return false;
    const digits = String(seq);
    if (digits.length >= this.size) return reply.endsWith(digits.slice(digits.length - this.size));
    return reply.startsWith(digits, ECHO_PREFIX.length) && reply.endsWith(this.padding.slice(digits.length));
  }

  /** Cheap plausibility check done on every reply: the echo has the expected length. */
  hasEchoLength(reply: string): boolean {
    return reply.length === ECHO_PREFIX.length + this.size;
  }
}
