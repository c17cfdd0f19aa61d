/**
 * Watching a run while it happens: the main thread hands every observer (live page, Prometheus
 * exporter) the same events, once per second. The load workers never know about them.
 */
import type { LiveProgress } from '../load/run-load.js';
import type { RunConfig, RunRecord, SweepProgress } from '../types.js';

export type { LiveProgress };

export interface RunStart {
  config: RunConfig;
  /** The sweep cell being run ("compression=gzip,size=1024,…"), or null for a plain run. */
  cellId: string | null;
  repetition: number | null;
}

export interface RunObserver {
  /** A run (or one repetition of a sweep) starts its load. */
  runStarted?(start: RunStart): void;
  /** One second of load, over all workers. */
  second?(progress: LiveProgress): void;
  /** The run is measured (null: it failed before any result). */
  runFinished?(record: RunRecord | null): void;
  /** A sweep moved on (before and after each repetition). */
  sweepProgress?(progress: SweepProgress, latest: { cellId: string; msgsPerS: number | null; p99Us: number | null } | null): void;
  /** Everything is done and written here. */
  finished?(resultsPath: string | null): void;
  close(): Promise<void>;
}

/** Several observers as one. */
export function observeAll(observers: readonly RunObserver[]): RunObserver {
  return {
    runStarted: (s) => observers.forEach((o) => o.runStarted?.(s)),
    second: (p) => observers.forEach((o) => o.second?.(p)),
    runFinished: (r) => observers.forEach((o) => o.runFinished?.(r)),
    sweepProgress: (p, latest) => observers.forEach((o) => o.sweepProgress?.(p, latest)),
    finished: (path) => observers.forEach((o) => o.finished?.(path)),
    close: async () => {
      await Promise.all(observers.map((o) => o.close()));
    },
  };
}
