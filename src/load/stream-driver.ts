import { BrokenCircuitError, type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory } from 'cockatiel';
import type { Echo, CallStatus, StreamHandler, TransportStream } from '../engine/transport.js';
import { Status, statusName } from '../engine/status-codes.js';
import type { BackendStats } from './backend-stats.js';
import { describeError } from '../errors.js';
import type { PayloadFactory } from '../grpc/payload.js';
import { intendedTime, type Schedule } from './pacer.js';
import { SendQueue } from './send-queue.js';
import type { WorkerState } from './worker-state.js';

/**
 * Opens a RouteChat call whose events go to `handler`; a promise when the connection has to be
 * made again first (it was lost, or the server sent GOAWAY). A rejected promise is a failed call.
 */
export type OpenCall = (handler: StreamHandler) => TransportStream | Promise<TransportStream>;

/** How a failed stream is reopened (--reconnect). */
export interface ReconnectOptions {
  retryable(status: CallStatus): boolean;
  maxReconnects: number;
  backoff: IBackoffFactory<unknown>;
  /** Guards every reopen attempt; null without --breaker. */
  breaker: CircuitBreakerPolicy | null;
  /** Opens a call on a live connection (connecting again when it was lost); rejects when that fails. */
  reopen(handler: StreamHandler): Promise<TransportStream>;
}

export interface StreamDriverOptions {
  inFlight: number;
  /** Measured messages this stream may send; null = unlimited (duration mode). */
  budget: number | null;
  /** Open-loop schedule; null = closed loop. */
  schedule: Schedule | null;
  verify: boolean;
  /** Stream churn: echoes per RouteChat call before it is half-closed and a new one opened; null = one call. */
  messagesPerStream: number | null;
  /** Reopening after a failure; null: a failed stream stays failed. */
  reconnect: ReconnectOptions | null;
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

/** The events of one call, passed on to the driver with the call they belong to. */
class CallEvents implements StreamHandler {
  call: TransportStream | null = null;
  /** The server that answered this call (set at its response headers). */
  backend: BackendStats | null = null;
  constructor(private readonly driver: StreamDriver) {}
  onHeaders(backend: string | null): void {
    this.driver.onHeaders(this, backend ?? null);
  }
  onEcho(echo: Echo): void {
    this.driver.onEcho(this, echo);
  }
  onDrain(): void {
    this.driver.onDrain(this);
  }
  onEnd(status: CallStatus): void {
    this.driver.onEnd(this, status);
  }
}

/**
 * Drives one logical stream: sends within the in-flight window, matches each echo to the
 * oldest outstanding message (echoes come back in order) and records its latency. With stream
 * churn the stream is a succession of RouteChat calls: after `messagesPerStream` echoes the
 * call is half-closed and the next one opened at once; schedule, budget and sequence numbers
 * carry on across calls.
 */
export class StreamDriver {
  private readonly queue: SendQueue;
  private current: CallEvents;
  /** Calls half-closed by churn whose final status has not come yet. */
  private readonly retiring = new Set<CallEvents>();
  private openedAtMs = 0;
  private headersSeen = false;
  private callSent = 0;
  private callEchoes = 0;
  private writable = true;
  private sendingStopped = false;
  private halfClosed = false;
  private currentEnded = false;
  private seqSent = 0;
  private seqReceived = 0;
  private measuredSent = 0;
  /** Open loop: index of the next scheduled message. */
  private scheduled = 0;
  /** Open loop: messages are due but the window, backpressure or churn held them back. */
  private blocked = false;
  /** Open loop: only messages intended before this time are still sent (the window end, once stopped). */
  private sendBefore = Number.POSITIVE_INFINITY;
  private unsentCounted = false;
  private doneReported = false;
  /** Failed and waiting to be reopened (with --reconnect), since downSinceMs. */
  private down = false;
  private downSinceMs = 0;
  /** Up again after an outage, until the messages it held back are sent (they count as delayed). */
  private backFromOutage = false;
  private reopenTimer: NodeJS.Timeout | undefined;
  private backoffStep: IBackoff<unknown> | null = null;
  private reopens = 0;
  /** The current call was already retried transparently (once per call). */
  private transparentRetryUsed = false;
  /** The reopen attempt waiting for its call to answer (the breaker's verdict). */
  private attempt: { resolve: () => void; reject: (error: Error) => void } | null = null;
  finished = false;

  constructor(
    private readonly openCall: OpenCall,
    private readonly state: WorkerState,
    private readonly payload: PayloadFactory,
    private readonly options: StreamDriverOptions,
  ) {
    // Grows on demand: 10,000 open-loop streams with the default in-flight cap (1024) must not
    // reserve 1024 slots each up front.
    this.queue = new SendQueue(Math.min(options.inFlight, 16));
    this.current = this.open(performance.now());
  }

  get outstanding(): number {
    return this.queue.length;
  }

  /** Whether this stream has sent its whole measured budget. */
  get budgetSpent(): boolean {
    return this.options.budget !== null && this.measuredSent >= this.options.budget;
  }

  /** Closed loop: fill the in-flight window; `now` (if the caller has it) stamps the first send. */
  fill(now = performance.now()): void {
    for (let at = now; this.canSend(); at = performance.now()) this.send(at, at);
  }

  /**
   * Open loop: sends every message that is due, as far as the window allows. Returns when the
   * next message is due, or +Infinity when the stream is blocked (an echo or 'drain' wakes it).
   */
  pump(now: number): number {
    const schedule = this.options.schedule as Schedule;
    // One formula (intendedTime) decides both what is due and when the next one is, so the
    // returned time is always after `now` (mixing it with a division could round back).
    let intended = intendedTime(schedule, this.scheduled);
    // Sends released after the window, backpressure or churn held them back are late because of
    // the server; only the others tell how punctual the generator itself is.
    const heldBack = this.blocked;
    let delayed = 0;
    while (intended <= now && intended < this.sendBefore && this.canSend()) {
      if (this.state.isMeasured(intended)) {
        if (heldBack) this.state.counters.heldBackSends++;
        else this.state.recordSendLag(now - intended, LATE_MS);
        if (heldBack && this.backFromOutage) delayed++;
      }
      this.send(intended, now);
      this.scheduled++;
      intended = intendedTime(schedule, this.scheduled);
    }
    if (delayed > 0) this.state.recordDelayed(delayed);
    const more = intended < this.sendBefore && !this.finished && !this.budgetSpent;
    this.blocked = more && intended <= now;
    if (!this.blocked) this.backFromOutage = false;
    return more && !this.blocked ? intended : Number.POSITIVE_INFINITY;
  }

  /** Open loop: when the next unsent message is due. */
  nextDue(): number {
    return intendedTime(this.options.schedule as Schedule, this.scheduled);
  }

  /**
   * Sending stops at the end of the measured window. Closed loop: nothing more is sent. Open
   * loop: messages intended inside the window that the in-flight cap or backpressure held back
   * are still owed; they go out while the run drains, so a stall is measured, not dropped.
   * Returns how many such messages this stream still owes.
   */
  stopSending(windowEndMs: number): number {
    this.sendingStopped = true;
    const schedule = this.options.schedule;
    if (schedule === null) {
      if (this.down) this.giveUp();
      return 0;
    }
    this.sendBefore = windowEndMs;
    return this.owedCount(schedule);
  }

  /** Half-closes the stream; the server then ends it with a status. */
  halfClose(): void {
    if (this.halfClosed || this.finished) return;
    this.halfClosed = true;
    if (this.down) return this.giveUp();
    this.current.call?.halfClose();
  }

  /** Counts outstanding measured messages as unanswered and cancels the stream's calls. */
  abandon(): void {
    for (const events of this.retiring) events.call?.cancel();
    this.retiring.clear();
    clearTimeout(this.reopenTimer);
    if (this.down) this.giveUp();
    if (this.finished) return;
    this.countUnanswered();
    this.finished = true;
    if (!this.currentEnded) this.current.call?.cancel();
  }

  onHeaders(events: CallEvents, backend: string | null): void {
    if (events !== this.current || this.headersSeen) return;
    this.headersSeen = true;
    const now = performance.now();
    // The engine names it (x-backend-id, else the peer address it already fell back to).
    if (backend !== null) {
      events.backend = this.state.backends.of(backend);
      events.backend.streamsOpened++;
    }
    if (this.state.isMeasured(this.openedAtMs)) this.state.recordSetup(this.openedAtMs, now);
    this.established(now);
  }

  /** Whether this stream is up (not failed, not waiting to be reopened). */
  get up(): boolean {
    return !this.finished && !this.down;
  }

  onEcho(events: CallEvents, echo: Echo): void {
    const now = performance.now();
    if (this.finished) return;
    if (events !== this.current || this.queue.length === 0) {
      this.state.recordMismatch(); // an echo nobody asked for
      return;
    }
    if (this.attempt !== null || this.down) this.established(now);
    const seq = this.seqReceived++;
    const ok = this.options.verify ? echo.isEchoOf(seq) : echo.bytes === this.payload.echoBytes;
    if (!ok) this.state.recordMismatch();
    this.state.recordEcho(this.queue.peekIntended(), this.queue.peekActual(), now, echo.bytes, events.backend);
    this.queue.shift();
    this.state.outstanding--;
    if (++this.callEchoes === this.options.messagesPerStream && !this.halfClosed && this.sendsMore()) this.rotate(now);
    if (this.options.schedule === null) this.fill(now);
    this.options.onRoom(this.blocked ? this : null);
  }

  onDrain(events: CallEvents): void {
    if (events !== this.current) return;
    this.writable = true;
    if (this.options.schedule === null) this.fill();
    else this.options.onRoom(this.blocked ? this : null);
  }

  onEnd(events: CallEvents, status: CallStatus): void {
    if (events !== this.current) {
      // A call retired by churn: it had all its echoes; only an error status matters.
      if (!this.retiring.delete(events)) return;
      if (status.code !== Status.OK) {
        this.state.recordStreamError(status, this.options.messagesPerStream ?? 1);
        this.backendOfFailure(events)?.recordError(statusName(status.code));
      }
      if (this.currentEnded) this.maybeFinish();
      return;
    }
    if (this.finished) return;
    if (status.unprocessed === true && this.mayRetryTransparently()) return this.retryTransparently();
    this.currentEnded = true;
    if (status.code !== Status.OK) {
      this.state.recordStreamError(status, this.callEchoes);
      this.backendOfFailure(events)?.recordError(statusName(status.code));
      this.attempt?.reject(new Error(status.details));
      this.attempt = null;
      if (this.shouldReopen(status)) return this.goDown(status);
    } else if (!this.halfClosed || this.queue.length > 0) {
      this.state.recordEndedEarly();
    }
    if (this.down) return this.giveUp();
    this.countUnanswered();
    this.reportDone();
    this.maybeFinish();
  }

  /**
   * A call the server never processed and not retried yet. A reopen attempt (--reconnect) is
   * retried too: the attempt stays open and the retried call answers it.
   */
  private mayRetryTransparently(): boolean {
    if (this.transparentRetryUsed || this.headersSeen || this.halfClosed) return false;
    return this.queue.length > 0 || this.sendsMore(); // a call with nothing to carry is not worth opening again
  }

  /**
   * The server refused the call before processing it (REFUSED_STREAM, e.g. a stream caught by a
   * GOAWAY): open it again at once, on a live connection, and send its outstanding messages
   * again with their original send times, as grpc-js and grpc-go retry such calls. Once per call;
   * the set-up time runs from the first attempt. Not an error, and nothing is lost.
   */
  private retryTransparently(): void {
    this.transparentRetryUsed = true;
    this.state.counters.transparentRetries++;
    this.current = this.open(this.openedAtMs, true);
    if (this.current.call === null) return; // connecting again first: open() replays once it can
    if (this.options.schedule === null) this.fill();
    else this.options.onRoom(this);
  }

  /** Sends the outstanding messages (sent on a refused call) again on the call that replaces it. */
  private replay(call: TransportStream): void {
    this.callSent = this.queue.length;
    for (let seq = this.seqSent - this.queue.length; seq < this.seqSent; seq++) if (!call.write(seq)) this.writable = false;
  }

  /** The backend a failed call counts for: the one that answered it, else the address it was sent to. */
  private backendOfFailure(events: CallEvents): BackendStats | null {
    if (events.backend !== null) return events.backend;
    const sentTo = events.call?.sentTo?.() ?? null;
    return sentTo === null ? null : this.state.backends.of(sentTo);
  }

  /** --reconnect: a retryable failure while there is still something to send. */
  private shouldReopen(status: CallStatus): boolean {
    const r = this.options.reconnect;
    return r !== null && !this.halfClosed && this.reopens < r.maxReconnects && r.retryable(status) && this.sendsMore();
  }

  /** The stream failed and will be reopened: what was outstanding is lost (never replayed). */
  private goDown(status: CallStatus | null): void {
    const now = performance.now();
    let lost = 0;
    while (this.queue.length > 0) {
      if (this.state.isMeasured(this.queue.peekIntended())) lost++;
      this.queue.shift();
      this.state.outstanding--;
    }
    // No echo will come for them: the next echo answers the next message sent.
    this.seqReceived = this.seqSent;
    if (!this.down) {
      this.down = true;
      this.downSinceMs = now;
      this.state.streamDown(now);
    }
    this.state.recordLost(lost);
    this.scheduleReopen(status);
    this.options.onRoom(null);
  }

  /** Waits out the backoff (at least what RetryInfo or grpc-retry-pushback-ms asked for), then reopens. */
  private scheduleReopen(status: CallStatus | null): void {
    const r = this.options.reconnect as ReconnectOptions;
    this.backoffStep = this.backoffStep === null ? r.backoff.next(undefined) : this.backoffStep.next(undefined);
    const asked = Math.max(status?.rich?.retryDelayMs ?? 0, status?.pushbackMs ?? 0);
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(this.reopenNow, Math.max(this.backoffStep.duration, asked));
  }

  private readonly reopenNow = (): void => {
    this.reopenTimer = undefined;
    const r = this.options.reconnect as ReconnectOptions;
    if (this.finished || !this.down) return;
    if (this.halfClosed || this.reopens >= r.maxReconnects || !this.sendsMore()) return this.giveUp();
    const attempt = r.breaker === null ? this.attemptReopen(r) : r.breaker.execute(() => this.attemptReopen(r));
    attempt.catch((error: unknown) => {
      // An open breaker refused before any call was made: wait and ask again. (A call that failed
      // has already scheduled the next attempt from its end.)
      if (error instanceof BrokenCircuitError && !this.finished && this.down) this.scheduleReopen(null);
    });
  };

  /** One reopen attempt: resolves once the new call answers, rejects when it fails. */
  private async attemptReopen(r: ReconnectOptions): Promise<void> {
    this.reopens++;
    this.state.recordReconnect();
    const events = new CallEvents(this);
    let call: TransportStream;
    try {
      call = await r.reopen(events);
    } catch (error) {
      // Could not connect: a failed attempt, counted as the grpc-js engine counts its failed calls.
      if (!this.finished && this.down) {
        this.state.recordStreamError({ code: Status.UNAVAILABLE, details: describeError(error), origin: 'transport', rich: null, pushbackMs: null }, 0);
        this.scheduleReopen(null);
      }
      throw error;
    }
    if (this.finished || !this.down) {
      call.cancel();
      return;
    }
    events.call = call;
    this.current = events;
    this.openedAtMs = performance.now();
    this.headersSeen = false;
    this.callSent = 0;
    this.callEchoes = 0;
    this.writable = true;
    this.currentEnded = false;
    if (this.state.isMeasured(this.openedAtMs)) this.state.counters.streamsOpened++;
    const answered = new Promise<void>((resolve, reject) => (this.attempt = { resolve, reject }));
    if (this.options.schedule === null) this.fill();
    else this.options.onRoom(this);
    return answered;
  }

  /** The current call answered (headers or an echo): a reopened stream is up again. */
  private established(now: number): void {
    this.attempt?.resolve();
    this.attempt = null;
    if (!this.down) return;
    this.down = false;
    this.backoffStep = null;
    this.backFromOutage = this.options.schedule !== null;
    this.state.streamUp(now, this.downSinceMs);
  }

  /** A down stream stops trying (the run is over, or its attempts are spent). */
  private giveUp(): void {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    this.attempt = null;
    if (this.down) {
      this.down = false;
      this.state.streamGaveUp(performance.now());
    }
    if (!this.currentEnded) this.current.call?.cancel();
    this.currentEnded = true;
    this.countUnanswered();
    this.reportDone();
    this.maybeFinish();
  }

  /**
   * Opens a call; `nowMs` starts its set-up time. A transparent `retry` is the same call again:
   * not counted as a stream opened, and it replays the outstanding messages.
   */
  private open(nowMs: number, retry = false): CallEvents {
    const events = new CallEvents(this);
    this.openedAtMs = nowMs;
    this.headersSeen = false;
    this.callSent = 0;
    this.callEchoes = 0;
    this.writable = true;
    this.currentEnded = false;
    if (!retry) {
      this.transparentRetryUsed = false;
      if (this.state.isMeasured(nowMs)) this.state.counters.streamsOpened++;
    }
    const opened = this.openCall(events);
    if (!(opened instanceof Promise)) {
      events.call = opened;
      if (retry) this.replay(opened);
      return events;
    }
    // Connecting again first: nothing is sent until the call exists (canSend checks it).
    opened.then(
      (call) => {
        if (this.finished || events !== this.current) return call.cancel();
        events.call = call;
        if (retry) this.replay(call);
        if (this.halfClosed) return call.halfClose();
        if (this.options.schedule === null) this.fill();
        else this.options.onRoom(this);
      },
      (error: unknown) => {
        if (events === this.current) this.onEnd(events, { code: Status.UNAVAILABLE, details: describeError(error), origin: 'transport', rich: null, pushbackMs: null });
      },
    );
    return events;
  }

  /** Stream churn: the call had its echoes; half-close it and go on on a new one. */
  private rotate(now: number): void {
    const old = this.current;
    this.retiring.add(old);
    old.call?.halfClose();
    this.current = this.open(now);
  }

  /** Whether this stream will still send (a new call is worth opening). */
  private sendsMore(): boolean {
    if (this.budgetSpent) return false;
    if (!this.sendingStopped) return true;
    const schedule = this.options.schedule;
    return schedule !== null && this.owedCount(schedule) > 0;
  }

  private maybeFinish(): void {
    if (this.finished || this.down || !this.currentEnded || this.retiring.size > 0) return;
    this.finished = true;
    this.options.onFinished();
  }

  private canSend(): boolean {
    if (this.sendingStopped && this.options.schedule === null) return false;
    if (this.options.messagesPerStream !== null && this.callSent >= this.options.messagesPerStream) return false;
    return this.writable && !this.currentEnded && this.current.call !== null && !this.finished && this.queue.length < this.options.inFlight && !this.budgetSpent;
  }

  /** Measured messages intended before `sendBefore` and not yet sent (open loop, after the stop). */
  private owedCount(schedule: Schedule): number {
    let owed = 0;
    for (let k = this.scheduled; intendedTime(schedule, k) < this.sendBefore; k++) {
      if (this.options.budget !== null && this.measuredSent + owed >= this.options.budget) break;
      if (this.state.isMeasured(intendedTime(schedule, k))) owed++;
    }
    return owed;
  }

  private send(intended: number, now: number): void {
    const state = this.state;
    if (state.isMeasured(intended)) {
      this.measuredSent++;
      state.counters.sent++;
      state.counters.bytesSent += this.payload.size;
      if (this.budgetSpent) this.reportDone();
      if (this.sendingStopped) state.owed--;
    }
    state.outstanding++;
    this.callSent++;
    this.queue.push(intended, now);
    if (!(this.current.call as TransportStream).write(this.seqSent++)) this.writable = false;
  }

  private reportDone(): void {
    if (this.doneReported) return;
    this.doneReported = true;
    this.options.onDone();
  }

  /** Open loop, once the stream ends after the stop: owed messages it never sent. */
  private countUnsent(): void {
    if (this.options.schedule === null || !this.sendingStopped || this.unsentCounted) return;
    this.unsentCounted = true;
    const owed = this.owedCount(this.options.schedule);
    this.state.counters.unsent += owed;
    this.state.owed -= owed; // the drain no longer waits for them
  }

  private countUnanswered(): void {
    this.countUnsent();
    while (this.queue.length > 0) {
      if (this.state.isMeasured(this.queue.peekIntended())) this.state.counters.unanswered++;
      this.queue.shift();
      this.state.outstanding--;
    }
  }
}
