import { createLatencyHistogram, encodeHistogram, recordLatency, type Histogram } from '../stats/histogram.js';
import { boundBackendCounts } from '../stats/backend-seconds.js';
import type { BackendSecond, WorkerBackend } from '../types.js';

/**
 * One backend's counters and latency histogram in one worker. A call looks its backend up once,
 * when its response headers arrive; echoes then record on the object directly.
 */
export class BackendStats {
  streamsOpened = 0;
  received = 0;
  receivedInWindow = 0;
  /** Every echo of the current second, warm-up included (the live per-backend figures). */
  intervalReceived = 0;
  readonly errorsByStatus: Record<string, number> = {};
  readonly latency: Histogram = createLatencyHistogram();

  constructor(readonly backend: string) {}

  /** An echo sent (intended) at `intendedMs` arrived at `nowMs`; the window is [warmEndMs, endMs). */
  recordEcho(intendedMs: number, nowMs: number, warmEndMs: number, endMs: number): void {
    this.intervalReceived++;
    if (nowMs >= warmEndMs && nowMs < endMs) this.receivedInWindow++;
    if (intendedMs >= warmEndMs && intendedMs < endMs) {
      this.received++;
      recordLatency(this.latency, (nowMs - intendedMs) * 1000);
    }
  }

  recordError(statusName: string): void {
    this.errorsByStatus[statusName] = (this.errorsByStatus[statusName] ?? 0) + 1;
  }

  result(): WorkerBackend {
    const { backend, streamsOpened, received, receivedInWindow, errorsByStatus } = this;
    return { backend, streamsOpened, received, receivedInWindow, errorsByStatus: { ...errorsByStatus }, histogram: encodeHistogram(this.latency) };
  }
}

/** The backends one worker has seen, by key. */
export class BackendTable {
  private readonly byKey = new Map<string, BackendStats>();

  /** The stats of `backend`, created on first sight. */
  of(backend: string): BackendStats {
    let stats = this.byKey.get(backend);
    if (stats === undefined) {
      stats = new BackendStats(backend);
      this.byKey.set(backend, stats);
    }
    return stats;
  }

  /** The echoes of the second that ended, per backend seen so far (bounded, see stats/backend-seconds.ts); restarts the count. */
  takeInterval(): BackendSecond[] {
    if (this.byKey.size === 0) return [];
    const counts: [string, number][] = [];
    for (const stats of this.byKey.values()) {
      counts.push([stats.backend, stats.intervalReceived]);
      stats.intervalReceived = 0;
    }
    return boundBackendCounts(counts);
  }

  results(): WorkerBackend[] {
    return [...this.byKey.values()].map((s) => s.result()).sort((a, b) => a.backend.localeCompare(b.backend));
  }

  destroy(): void {
    for (const stats of this.byKey.values()) stats.latency.destroy();
    this.byKey.clear();
  }
}
