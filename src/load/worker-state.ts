import { encodeHistogram, createLatencyHistogram, recordLatency, type Histogram } from '../stats/histogram.js';
import { emptyCounters } from '../stats/aggregate.js';
import { BackendTable, type BackendStats } from './backend-stats.js';
import type { CallStatus } from '../engine/transport.js';
import { statusName } from '../engine/status-codes.js';
import { classifyFailure, reasonKey, type ErrorCategory } from '../resilience/error-class.js';
import type { Counters, Outage, ProgressTick, Recoveries } from '../types.js';

/** Counters and histograms of one worker, shared by its streams. Lives in one worker thread. */
export class WorkerState {
  readonly counters: Counters = emptyCounters();

  readonly latency: Histogram = createLatencyHistogram();
  /** Open loop only: latency from the actual send time. */
  readonly uncorrected: Histogram | null;
  /** Stream set-up latency of calls opened in the measured window. */
  readonly setup: Histogram = createLatencyHistogram();
  /** Connection set-up time of this worker's connections (TCP + TLS + HTTP/2 preface). */
  readonly connect: Histogram = createLatencyHistogram();
  /** Per backend: the servers that answered this worker's calls. */
  readonly backends: BackendTable;
  /** Latency of the echoes received in the current second (time series). */
  readonly interval: Histogram = createLatencyHistogram();
  intervalReceived = 0;
  intervalErrors = 0;
  private intervalCategories: Record<string, number> = {};
  /** Measured window in performance.now() ms; endMs shrinks to the stop time on a stop. */
  warmEndMs = Number.POSITIVE_INFINITY;
  endMs = Number.POSITIVE_INFINITY;
  lastMeasuredReplyMs = 0;
  /** Messages sent and not yet echoed, over all streams. */
  outstanding = 0;
  /** Open loop, after the stop: measured messages of the window still to be sent. */
  owed = 0;
  firstError: string | null = null;
  /** Streams down now (failed, waiting to be reopened), and the outage they make. */
  private downStreams = 0;
  private outage: Outage | null = null;
  readonly outages: Outage[] = [];
  readonly recoveries: Recoveries = { count: 0, totalMs: 0, maxMs: 0 };
  intervalReconnects = 0;
  intervalConnections = 0;
  /** Open loop: measured sends of the current second and how late they went out (ms). */
  private intervalSends = 0;
  private intervalSendLagMsTotal = 0;
  private intervalSendLagMsMax = 0;

  constructor(openLoop: boolean) {
    this.uncorrected = openLoop ? createLatencyHistogram() : null;
    // One backend's latencies are this worker's own: recorded once, copied if a second one appears.
    this.backends = new BackendTable(this.latency);
  }

  /** Whether a message intended for `intendedMs` belongs to the measured window. */
  isMeasured(intendedMs: number): boolean {
    return intendedMs >= this.warmEndMs && intendedMs < this.endMs;
  }

  /**
   * Records one echo: `intendedMs` and `actualMs` are the send times, `nowMs` its arrival; and on
   * the backend that answered it, when known.
   */
  recordEcho(intendedMs: number, actualMs: number, nowMs: number, replyBytes: number, backend: BackendStats | null = null): void {
    const c = this.counters;
    const latencyUs = (nowMs - intendedMs) * 1000;
    const arrivedInWindow = nowMs >= this.warmEndMs && nowMs < this.endMs;
    const measured = intendedMs >= this.warmEndMs && intendedMs < this.endMs;
    c.receivedTotal++;
    this.intervalReceived++;
    recordLatency(this.interval, latencyUs);
    if (arrivedInWindow) c.receivedInWindow++;
    if (measured) {
      c.received++;
      c.bytesReceived += replyBytes;
      this.lastMeasuredReplyMs = nowMs;
      recordLatency(this.latency, latencyUs);
      if (this.uncorrected) recordLatency(this.uncorrected, (nowMs - actualMs) * 1000);
    }
    backend?.recordEcho(arrivedInWindow, measured, latencyUs);
  }

  /** A connection was made (first, reconnection or churn) in `ms`. */
  recordConnect(ms: number): void {
    recordLatency(this.connect, ms * 1000);
    this.counters.connectionsOpened++;
    this.intervalConnections++;
  }

  /** A call opened at `openedMs` got its response headers at `nowMs`. */
  recordSetup(openedMs: number, nowMs: number): void {
    recordLatency(this.setup, (nowMs - openedMs) * 1000);
  }

  /** Open loop: how late a measured message went out (ms); above `lateMs` it counts as late. */
  recordSendLag(lagMs: number, lateMs: number): void {
    this.intervalSends++;
    this.intervalSendLagMsTotal += lagMs;
    if (lagMs > this.intervalSendLagMsMax) this.intervalSendLagMsMax = lagMs;
    this.counters.sendLagMsTotal += lagMs;
    if (lagMs > lateMs) this.counters.lateSends++;
  }

  /** A call that ended with an error status after `echoes` echoes. */
  recordStreamError(status: CallStatus, echoes: number): void {
    const name = statusName(status.code);
    const c = this.counters;
    c.errorsByStatus[name] = (c.errorsByStatus[name] ?? 0) + 1;
    if (status.refused === true) c.refusedStreams++;
    this.countCategory(classifyFailure(status, echoes));
    if (status.rich?.reason) {
      const key = reasonKey(status.rich.reason, status.rich.domain);
      c.errorsByReason[key] = (c.errorsByReason[key] ?? 0) + 1;
    }
    this.firstError ??= `${name}: ${status.details}`;
  }

  /** A stream failed and will be reopened: it is down from `nowMs` (performance.now()). */
  streamDown(nowMs: number): void {
    if (this.downStreams++ === 0) {
      this.outage = { startMs: performance.timeOrigin + nowMs, endMs: 0, ongoing: true, streams: 0, reconnects: 0, lost: 0, delayed: 0 };
    }
    (this.outage as Outage).streams++;
  }

  /** Measured messages outstanding on a failed call that is not replayed. */
  recordLost(count: number): void {
    this.counters.lost += count;
    if (this.outage !== null) this.outage.lost += count;
  }

  /** Open loop: measured messages held back by an outage, sent once their stream was back. */
  recordDelayed(count: number): void {
    const outage = this.outage ?? this.outages[this.outages.length - 1];
    if (outage !== undefined) outage.delayed = (outage.delayed ?? 0) + count;
  }

  /** The run is over: an outage still going ends now, marked ongoing. */
  endOutages(nowMs: number): void {
    if (this.outage !== null) this.closeOutage(nowMs, true);
    this.downStreams = 0;
  }

  /** A stream that went down at `downSinceMs` is up again (its new call answered). */
  streamUp(nowMs: number, downSinceMs: number): void {
    const r = this.recoveries;
    const ms = nowMs - downSinceMs;
    r.count++;
    r.totalMs += ms;
    if (ms > r.maxMs) r.maxMs = ms;
    if (--this.downStreams === 0 && this.outage !== null) this.closeOutage(nowMs, false);
  }

  /** A down stream gave up (run over, attempts spent): it no longer keeps an outage open. */
  streamGaveUp(nowMs: number): void {
    if (--this.downStreams === 0 && this.outage !== null) this.closeOutage(nowMs, true);
  }

  recordReconnect(): void {
    this.counters.reconnects++;
    this.intervalReconnects++;
    if (this.outage !== null) this.outage.reconnects++;
  }

  private closeOutage(nowMs: number, ongoing: boolean): void {
    const outage = this.outage as Outage;
    outage.endMs = performance.timeOrigin + nowMs;
    outage.ongoing = ongoing;
    this.outages.push(outage);
    this.outage = null;
  }

  /** An echo that was not the expected one (or that nobody asked for). */
  recordMismatch(): void {
    this.counters.mismatches++;
    this.countCategory('protocol');
  }

  /** The server ended a call with OK while messages were outstanding or before the client half-closed. */
  recordEndedEarly(): void {
    this.counters.streamsEndedEarly++;
    this.countCategory('aborted');
  }

  private countCategory(category: ErrorCategory): void {
    const c = this.counters.errorsByCategory;
    c[category] = (c[category] ?? 0) + 1;
    this.intervalCategories[category] = (this.intervalCategories[category] ?? 0) + 1;
    this.intervalErrors++;
  }

  /** Encodes and clears the per-second histogram. */
  takeInterval(): Pick<ProgressTick, 'received' | 'errors' | 'errorsByCategory' | 'reconnects' | 'histogram' | 'sendLag' | 'connectionsOpened' | 'backends'> {
    const sendLag = this.intervalSends === 0 ? null : { sends: this.intervalSends, meanMs: this.intervalSendLagMsTotal / this.intervalSends, maxMs: this.intervalSendLagMsMax };
    const tick = { received: this.intervalReceived, errors: this.intervalErrors, errorsByCategory: this.intervalCategories, reconnects: this.intervalReconnects, connectionsOpened: this.intervalConnections, histogram: encodeHistogram(this.interval), sendLag, backends: this.backends.takeInterval() };
    this.intervalConnections = 0;
    this.intervalSends = 0;
    this.intervalSendLagMsTotal = 0;
    this.intervalSendLagMsMax = 0;
    this.intervalCategories = {};
    this.intervalReconnects = 0;
    this.interval.reset();
    this.intervalReceived = 0;
    this.intervalErrors = 0;
    return tick;
  }

  destroy(): void {
    this.latency.destroy();
    this.setup.destroy();
    this.connect.destroy();
    this.backends.destroy();
    this.uncorrected?.destroy();
    this.interval.destroy();
  }
}
