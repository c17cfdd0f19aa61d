/**
 * FIFO of the messages a stream has sent and not yet seen echoed. A stream's echoes come
 * back in order, so the oldest entry always belongs to the next echo. Ring buffer of two
 * float64 columns, so the hot path allocates nothing.
 */
export class SendQueue {
  private intended: Float64Array;
  private actual: Float64Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, initialCapacity)));
    this.intended = new Float64Array(capacity);
    this.actual = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Remembers a message sent at `actualMs` that was meant to go at `intendedMs`. */
  push(intendedMs: number, actualMs: number): void {
    if (this.count === this.intended.length) this.grow();
    const mask = this.intended.length - 1;
    const tail = (this.head + this.count) & mask;
    this.intended[tail] = intendedMs;
    this.actual[tail] = actualMs;
    this.count++;
  }

  /** Intended send time of the oldest message; call only when length > 0. */
  peekIntended(): number {
    return this.intended[this.head] as number;
  }

  /** Actual send time of the oldest message; call only when length > 0. */
  peekActual(): number {
    return this.actual[this.head] as number;
  }

  /** Drops the oldest message. */
  shift(): void {
    if (this.count === 0) throw new RangeError('SendQueue is empty');
    this.head = (this.head + 1) & (this.intended.length - 1);
    this.count--;
  }

  private grow(): void {
    const size = this.intended.length;
    const intended = new Float64Array(size * 2);
    const actual = new Float64Array(size * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & (size - 1);
      intended[i] = this.intended[from] as number;
      actual[i] = this.actual[from] as number;
    }
    this.intended = intended;
    this.actual = actual;
    this.head = 0;
  }
}
