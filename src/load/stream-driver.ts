import * as grpc from '@grpc/grpc-js';
import type { RouteNote, RouteNote__Output } from '../generated/stream/RouteNote.js';
import type { PayloadFactory } from '../grpc/payload.js';
import { dueCount, intendedTime, type Schedule } from './pacer.js';
import { SendQueue } from './send-queue.js';
import type { WorkerState } from './worker-state.js';

export type RouteChatStream = grpc.ClientDuplexStream<RouteNote, RouteNote__Output>;

export interface StreamDriverOptions {
  inFlight: number;
  /** Measured messages this stream may send; null = unlimited (duration mode). */
  budget: number | null;
  /** Open-loop schedule; null = closed loop. */
  schedule: Schedule | null;
  verify: boolean;
  /** Called when the stream finished (ended, failed or closed by us). */
  onFinished: () => void;
  /**
   * Called after every echo and 'drain': the run may be complete, and an open-loop stream passes
   * itself when it was held back with messages due and now has room again.
   */
  onRoom: (unblocked: StreamDriver | null) => void;
  /** Called once when this stream will send no more measured messages (budget spent or stream finished). */
  onDone: () => void;
}

/** Lateness above which an open-loop send counts as late (ms). */
const LATE_MS = 1;

/**
 * Drives one RouteChat stream: sends within the in-flight window, matches each echo to the
 * oldest outstanding message (echoes come back in order) and records its latency.
 */
export class StreamDriver {
  private readonly queue: SendQueue;
  private writable = true;
  private sendingStopped = false;
  private halfClosed = false;
  private seqSent = 0;
  private seqReceived = 0;
  private measuredSent = 0;
  /** Open loop: index of the next scheduled message. */
  private scheduled = 0;
  /** Open loop: messages are due but the window or backpressure held them back. */
  private blocked = false;
  private status: grpc.StatusObject | null = null;
  private doneReported = false;
  finished = false;

  constructor(
    private readonly call: RouteChatStream,
    private readonly state: WorkerState,
    private readonly payload: PayloadFactory,
    private readonly options: StreamDriverOptions,
  ) {
    this.queue = new SendQueue(Math.min(options.inFlight, 1024));
    call.on('data', (note: RouteNote__Output) => this.onEcho(note.message));
    // 'status' comes with every end of the call; 'end' follows once every echo was read.
    call.on('status', (status: grpc.StatusObject) => {
      this.status = status;
    });
    call.on('error', () => undefined);
    call.on('end', () => this.onEnd());
    call.on('drain', () => {
      this.writable = true;
      if (this.options.schedule === null) this.fill(performance.now());
      else this.options.onRoom(this.blocked ? this : null);
    });
  }

  get outstanding(): number {
    return this.queue.length;
  }

  /** Whether this stream has sent its whole measured budget. */
  get budgetSpent(): boolean {
    return this.options.budget !== null && this.measuredSent >= this.options.budget;
  }

  /** Closed loop: fill the in-flight window. */
  fill(now: number): void {
    while (this.canSend()) this.send(now, now);
  }

  /**
   * Open loop: sends every message that is due, as far as the window allows. Returns when the
   * next message is due, or +Infinity when the stream is blocked (an echo or 'drain' wakes it).
   */
  pump(now: number): number {
    const schedule = this.options.schedule as Schedule;
    const due = dueCount(schedule, now);
    while (this.scheduled < due && this.canSend()) {
      const intended = intendedTime(schedule, this.scheduled);
      if (this.state.isMeasured(intended)) this.state.recordSendLag(now - intended, LATE_MS);
      this.send(intended, now);
      this.scheduled++;
    }
    this.blocked = this.scheduled < due && !this.budgetSpent && !this.sendingStopped && !this.finished;
    if (this.scheduled < due || this.budgetSpent || this.sendingStopped || this.finished) return Number.POSITIVE_INFINITY;
    return intendedTime(schedule, this.scheduled);
  }

  /** Open loop: when the next unsent message is due. */
  nextDue(): number {
    return intendedTime(this.options.schedule as Schedule, this.scheduled);
  }

  stopSending(): void {
    this.sendingStopped = true;
  }

  /** Half-closes the stream; the server then ends it with a status. */
  halfClose(): void {
    if (this.halfClosed || this.finished) return;
    this.halfClosed = true;
    this.call.end();
  }

  /** Counts outstanding measured messages as unanswered and cancels the stream. */
  abandon(): void {
    if (this.finished) return;
    this.countUnanswered();
    this.finished = true;
    this.call.cancel();
  }

  private canSend(): boolean {
    return !this.sendingStopped && this.writable && !this.finished && this.queue.length < this.options.inFlight && !this.budgetSpent;
  }

  private send(intended: number, now: number): void {
    const state = this.state;
    if (state.isMeasured(intended)) {
      this.measuredSent++;
      state.counters.sent++;
      state.counters.bytesSent += this.payload.size;
      if (this.budgetSpent) this.reportDone();
    }
    state.outstanding++;
    this.queue.push(intended, now);
    if (!this.call.write({ message: this.payload.make(this.seqSent++) })) this.writable = false;
  }

  private onEcho(message: string): void {
    const now = performance.now();
    if (this.finished) return;
    if (this.queue.length === 0) {
      this.state.counters.mismatches++; // an echo nobody asked for
      return;
    }
    const seq = this.seqReceived++;
    const ok = this.options.verify ? this.payload.isEcho(message, seq) : this.payload.hasEchoLength(message);
    if (!ok) this.state.counters.mismatches++;
    this.state.recordEcho(this.queue.peekIntended(), this.queue.peekActual(), now, message.length);
    this.queue.shift();
    this.state.outstanding--;
    if (this.options.schedule === null) this.fill(now);
    this.options.onRoom(this.blocked ? this : null);
  }

  private onEnd(): void {
    if (this.finished) return;
    const status = this.status;
    if (status && status.code !== grpc.status.OK) {
      this.state.recordStreamError(grpc.status[status.code] ?? `CODE_${status.code}`, status.details);
    } else if (!this.halfClosed || this.queue.length > 0) {
      this.state.counters.streamsEndedEarly++;
    }
    this.finish();
  }

  private finish(): void {
    this.countUnanswered();
    this.finished = true;
    this.reportDone();
    this.options.onFinished();
  }

  private reportDone(): void {
    if (this.doneReported) return;
    this.doneReported = true;
    this.options.onDone();
  }

  private countUnanswered(): void {
    while (this.queue.length > 0) {
      if (this.state.isMeasured(this.queue.peekIntended())) this.state.counters.unanswered++;
      this.queue.shift();
      this.state.outstanding--;
    }
  }
}
