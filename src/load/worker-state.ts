import { encodeHistogram, createLatencyHistogram, recordLatency, type Histogram } from '../stats/histogram.js';
import { emptyCounters } from '../stats/aggregate.js';
import type { Counters } from '../types.js';

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
  /** Latency of the echoes received in the current second (time series). */
  readonly interval: Histogram = createLatencyHistogram();
  intervalReceived = 0;
  intervalErrors = 0;
  /** Measured window in performance.now() ms; endMs shrinks to the stop time on a stop. */
  warmEndMs = Number.POSITIVE_INFINITY;
  endMs = Number.POSITIVE_INFINITY;
  lastMeasuredReplyMs = 0;
  /** Messages sent and not yet echoed, over all streams. */
  outstanding = 0;
  /** Open loop, after the stop: measured messages of the window still to be sent. */
  owed = 0;
  firstError: string | null = null;

  constructor(openLoop: boolean) {
    this.uncorrected = openLoop ? createLatencyHistogram() : null;
  }

  /** Whether a message intended for `intendedMs` belongs to the measured window. */
  isMeasured(intendedMs: number): boolean {
    return intendedMs >= this.warmEndMs && intendedMs < this.endMs;
  }

  /** Records one echo: `intendedMs` and `actualMs` are the send times, `nowMs` its arrival. */
  recordEcho(intendedMs: number, actualMs: number, nowMs: number, replyBytes: number): void {
    const c = this.counters;
    c.receivedTotal++;
    this.intervalReceived++;
    recordLatency(this.interval, (nowMs - intendedMs) * 1000);
    if (nowMs >= this.warmEndMs && nowMs < this.endMs) c.receivedInWindow++;
    if (intendedMs >= this.warmEndMs && intendedMs < this.endMs) {
      c.received++;
      c.bytesReceived += replyBytes;
      this.lastMeasuredReplyMs = nowMs;
      recordLatency(this.latency, (nowMs - intendedMs) * 1000);
      if (this.uncorrected) recordLatency(this.uncorrected, (nowMs - actualMs) * 1000);
    }
  }

  recordConnect(ms: number): void {
    recordLatency(this.connect, ms * 1000);
  }

  /** A call opened at `openedMs` got its response headers at `nowMs`. */
  recordSetup(openedMs: number, nowMs: number): void {
    recordLatency(this.setup, (nowMs - openedMs) * 1000);
  }

  /** Open loop: how late a measured message went out (ms); above `lateMs` it counts as late. */
  recordSendLag(lagMs: number, lateMs: number): void {
    this.counters.sendLagMsTotal += lagMs;
    if (lagMs > lateMs) this.counters.lateSends++;
  }

  recordStreamError(statusName: string, details: string): void {
    this.counters.errorsByStatus[statusName] = (this.counters.errorsByStatus[statusName] ?? 0) + 1;
    this.intervalErrors++;
    this.firstError ??= `${statusName}: ${details}`;
  }

  /** Encodes and clears the per-second histogram. */
  takeInterval(): { received: number; errors: number; histogram: string } {
    const tick = { received: this.intervalReceived, errors: this.intervalErrors, histogram: encodeHistogram(this.interval) };
    this.interval.reset();
    this.intervalReceived = 0;
    this.intervalErrors = 0;
    return tick;
  }

  destroy(): void {
    this.latency.destroy();
    this.setup.destroy();
    this.connect.destroy();
    this.uncorrected?.destroy();
    this.interval.destroy();
  }
}
