import TinyQueue from 'tinyqueue';

/** What the scheduler needs of a stream: send what is due, say when the next one is due. */
export interface PacedStream {
  /** Sends every due message the window allows; the next due time, or +Infinity when blocked or done. */
  pump(nowMs: number): number;
  /** When the next unsent message is due. */
  nextDue(): number;
}

/** With spin pacing, sends due within this many ms are waited for by polling, not by a timer. */
const SPIN_WINDOW_MS = 1.5;

/** A stream's place in the heap: one per stream, reused for every send (no allocation per message). */
interface Entry<T> {
  due: number;
  stream: T;
  /** In the heap now (a stream is in it at most once). */
  queued: boolean;
}

/**
 * Open-loop sending for one worker: a min-heap of streams by the time their next message is
 * due, so each pump touches only the streams that are due (not every stream). Pumps run on a
 * timer armed for the earliest due time, and right after any echo (coalesced to one per
 * event-loop turn). Node timers have 1 ms resolution, so with `spin` the timer fires early and
 * the last stretch before a due send is polled with setImmediate: sends then leave within tens
 * of µs of their intended time instead of up to ~1 ms late, at the cost of a busy generator CPU. Streams held back by their in-flight cap or by backpressure leave the heap until
 * `wake(stream)` says they have room again.
 */
export class OpenLoopScheduler<T extends PacedStream> {
  private readonly heap = new TinyQueue<Entry<T>>([], (a, b) => a.due - b.due);
  private readonly entries = new Map<T, Entry<T>>();
  /** Streams popped in a pump that are due again (reused). */
  private readonly again: Entry<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private immediateQueued = false;
  private stopped = false;

  /** `spin`: wake ~1 ms early and busy-wait on setImmediate until the send is due. */
  constructor(
    streams: Iterable<T>,
    private readonly spin: boolean,
  ) {
    for (const stream of streams) this.enqueue(stream, stream.nextDue());
  }

  /** Sends whatever is due now and arms the timer for the next due message. */
  readonly pump = (): void => {
    this.immediateQueued = false;
    if (this.stopped) return;
    const now = performance.now();
    const again = this.again;
    for (let top = this.heap.peek(); top !== undefined && top.due <= now; top = this.heap.peek()) {
      this.heap.pop();
      top.queued = false;
      const next = top.stream.pump(now);
      // Re-queued after the loop, so a stream can never be popped twice in one pump.
      if (next !== Number.POSITIVE_INFINITY) {
        top.due = next;
        again.push(top);
      }
    }
    for (const entry of again) this.push(entry);
    again.length = 0;
    this.arm(now);
  };

  /**
   * Something changed (an echo, a 'drain'): `unblocked` has room to send again. With spin
   * pacing every echo also triggers a pump (cheap when nothing is due), which keeps sends
   * punctual under load; with timer pacing only an unblocked stream does, so the CPU can idle.
   */
  wake(unblocked: T | null): void {
    if (this.stopped) return;
    if (unblocked !== null) {
      const entry = this.entries.get(unblocked);
      if (entry === undefined) this.enqueue(unblocked, unblocked.nextDue());
      else if (!entry.queued) {
        entry.due = unblocked.nextDue();
        this.push(entry);
      }
    }
    if ((unblocked !== null || this.spin) && !this.immediateQueued) {
      this.immediateQueued = true;
      setImmediate(this.pump);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private enqueue(stream: T, due: number): void {
    let entry = this.entries.get(stream);
    if (entry === undefined) {
      entry = { due, stream, queued: false };
      this.entries.set(stream, entry);
    }
    entry.due = due;
    this.push(entry);
  }

  /** Puts an entry that is not in the heap into it. */
  private push(entry: Entry<T>): void {
    entry.queued = true;
    this.heap.push(entry);
  }

  private arm(now: number): void {
    const next = this.heap.peek()?.due ?? Number.POSITIVE_INFINITY;
    if (next === Number.POSITIVE_INFINITY || (this.timer !== undefined && this.timerDue <= next)) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.spin && next - now < SPIN_WINDOW_MS) {
      // Timers fire on whole milliseconds: the last stretch is waited for by polling.
      if (!this.immediateQueued) {
        this.immediateQueued = true;
        setImmediate(this.pump);
      }
      return;
    }
    this.timerDue = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next - now - (this.spin ? SPIN_WINDOW_MS - 0.3 : 0)),
    );
  }
}
