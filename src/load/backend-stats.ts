import { addHistogram, createLatencyHistogram, encodeHistogram, recordLatency, type Histogram } from '../stats/histogram.js';
import { boundBackendCounts } from '../stats/backend-seconds.js';
import type { BackendSecond, WorkerBackend } from '../types.js';

/**
 * One backend's counters and latency histogram in one worker. A call looks its backend up once,
 * when its response headers arrive; echoes then record on the object directly. While the worker
 * has seen one backend only, its latencies are the worker's own: they are not recorded twice.
 */
export class BackendStats {
  streamsOpened = 0;
  received = 0;
  receivedInWindow = 0;
  /** Every echo of the current second, warm-up included (the live per-backend figures). */
  intervalReceived = 0;
  readonly errorsByStatus: Record<string, number> = {};
  readonly latency: Histogram = createLatencyHistogram();

  /** Whether echoes go into `latency` (false while this is the worker's only backend). */
  recordsLatency: boolean;

  constructor(
    readonly backend: string,
    recordsLatency = true,
  ) {
    this.recordsLatency = recordsLatency;
  }

  /**
   * An echo, as the worker classified it (WorkerState.recordEcho): arrived in the window, sent in
   * it (measured), and its latency.
   */
  recordEcho(arrivedInWindow: boolean, measured: boolean, latencyUs: number): void {
    this.intervalReceived++;
    if (arrivedInWindow) this.receivedInWindow++;
    if (measured) {
      this.received++;
      if (this.recordsLatency) recordLatency(this.latency, latencyUs);
    }
  }

  recordError(statusName: string): void {
    this.errorsByStatus[statusName] = (this.errorsByStatus[statusName] ?? 0) + 1;
  }

  /** `workerLatency`: the worker's histogram, this backend's own while it did not record (the only one). */
  result(workerLatency: Histogram | null): WorkerBackend {
    const { backend, streamsOpened, received, receivedInWindow, errorsByStatus } = this;
    const latency = this.recordsLatency || workerLatency === null ? this.latency : workerLatency;
    return { backend, streamsOpened, received, receivedInWindow, errorsByStatus: { ...errorsByStatus }, histogram: encodeHistogram(latency) };
  }
}

/** The backends one worker has seen, by key. */
export class BackendTable {
  private readonly byKey = new Map<string, BackendStats>();

  /**
   * `workerLatency`: the worker's latency histogram (the same echoes as the backends' together).
   * While one backend only was seen, that one is its histogram; a second backend's arrival copies
   * it into the first one's before both record their own. Without it every backend records.
   */
  constructor(private readonly workerLatency: Histogram | null = null) {}

  /** The stats of `backend`, created on first sight. */
  of(backend: string): BackendStats {
    let stats = this.byKey.get(backend);
    if (stats === undefined) {
      const first = this.byKey.size === 0;
      if (!first && this.workerLatency !== null) {
        for (const only of this.byKey.values()) {
          if (only.recordsLatency) continue;
          addHistogram(only.latency, this.workerLatency);
          only.recordsLatency = true;
        }
      }
      stats = new BackendStats(backend, !(first && this.workerLatency !== null));
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
    return [...this.byKey.values()].map((s) => s.result(this.workerLatency)).sort((a, b) => a.backend.localeCompare(b.backend));
  }

  destroy(): void {
    for (const stats of this.byKey.values()) stats.latency.destroy();
    this.byKey.clear();
  }
}
