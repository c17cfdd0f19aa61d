import type { Counters, ProgressTick, RunRecord, TimeSeriesPoint, WireBytes, WorkerResult } from '../types.js';

/** Bytes → MiB, to 0.1 MiB. */
export function toMiB(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

/** The generator's memory at the end of one second (sampled in the main thread), MiB. */
export interface MemoryPoint {
  second: number;
  rssMiB: number;
  heapUsedMiB: number;
}
import { mergeEncoded, mergeEncodedToEncoded } from './histogram.js';
import { mergeBackendSeconds } from './backend-seconds.js';

export function emptyCounters(): Counters {
  return {
    sent: 0,
    received: 0,
    receivedInWindow: 0,
    receivedTotal: 0,
    bytesSent: 0,
    bytesReceived: 0,
    mismatches: 0,
    unanswered: 0,
    streamsEndedEarly: 0,
    streamsOpened: 0,
    errorsByStatus: {},
    errorsByCategory: {},
    errorsByReason: {},
    lateSends: 0,
    sendLagMsTotal: 0,
    unsent: 0,
    heldBackSends: 0,
    lost: 0,
    reconnects: 0,
    connectionsOpened: 0,
    refusedStreams: 0,
    transparentRetries: 0,
  };
}

const TALLY_FIELDS = ['errorsByStatus', 'errorsByCategory', 'errorsByReason'] as const;
type TallyField = (typeof TALLY_FIELDS)[number];
type CountField = Exclude<keyof Counters, TallyField>;
const COUNT_FIELDS = Object.keys(emptyCounters()).filter((k): k is CountField => !(TALLY_FIELDS as readonly string[]).includes(k));

/** Adds the counts of `from` into `into`, name by name. */
export function addTally(into: Record<string, number>, from: Readonly<Record<string, number>> | undefined): void {
  for (const [name, n] of Object.entries(from ?? {})) into[name] = (into[name] ?? 0) + n;
}

/** Adds counters field by field (every numeric field, and the errors per status). */
export function sumCounters(parts: readonly Counters[]): Counters {
  const total = emptyCounters();
  for (const c of parts) {
    // Files written before a counter existed lack it.
    for (const field of COUNT_FIELDS) total[field] += c[field] ?? 0;
    for (const field of TALLY_FIELDS) addTally(total[field], c[field]);
  }
  return total;
}

/** Whether a finished run counts as failed: any error, every stream failed, or the hard time limit hit. */
export function runHasErrors(run: RunRecord): boolean {
  return run.metrics.errorsTotal > 0 || run.stop.reason === 'all-streams-failed' || run.stop.reason === 'timeout';
}

/** Every error kind: failed streams, early ends, wrong echoes, unanswered and never-sent messages. */
export function countErrors(c: Counters): number {
  return Object.values(c.errorsByStatus).reduce((a, b) => a + b, 0) + c.streamsEndedEarly + c.mismatches + c.unanswered + c.unsent + (c.lost ?? 0);
}

export interface MergedWorkers {
  counters: Counters;
  histogram: string;
  uncorrectedHistogram: string | null;
  setupHistogram: string;
  connectHistogram: string;
  wireBytes: WireBytes | null;
  windowStartMs: number;
  windowEndMs: number;
}

/** Merges worker results exactly: counters summed, histograms added, window = union. */
export function mergeWorkerResults(results: readonly WorkerResult[]): MergedWorkers {
  const uncorrected = results.map((r) => r.uncorrectedHistogram).filter((h): h is string => h !== null);
  return {
    counters: sumCounters(results.map((r) => r.counters)),
    histogram: mergeEncodedToEncoded(results.map((r) => r.histogram)),
    uncorrectedHistogram: uncorrected.length > 0 ? mergeEncodedToEncoded(uncorrected) : null,
    setupHistogram: mergeEncodedToEncoded(results.map((r) => r.setupHistogram)),
    connectHistogram: mergeEncodedToEncoded(results.map((r) => r.connectHistogram)),
    wireBytes: sumWireBytes(results.map((r) => r.wireBytes)),
    windowStartMs: Math.min(...results.map((r) => r.windowStartMs)),
    windowEndMs: Math.max(...results.map((r) => r.windowEndMs)),
  };
}

/** Wire bytes of all workers; null when any worker's engine could not count them. */
export function sumWireBytes(parts: readonly (WireBytes | null)[]): WireBytes | null {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  return (parts as WireBytes[]).reduce((a, b) => ({ sent: a.sent + b.sent, received: a.received + b.received }), { sent: 0, received: 0 });
}

/** One point per second: ticks of all workers for that second merged. */
export function buildTimeSeries(ticks: readonly ProgressTick[], warmupS: number, memory: readonly MemoryPoint[] = []): TimeSeriesPoint[] {
  const memoryBySecond = new Map(memory.map((m) => [m.second, m]));
  // Per-backend echoes go into every point once a backend is known (even one: a shard of a run may
  // see one backend of several, and its file is merged with the others).
  const withBackends = ticks.some((t) => (t.backends ?? []).length > 0);
  const bySecond = new Map<number, ProgressTick[]>();
  for (const tick of ticks) {
    const list = bySecond.get(tick.second) ?? [];
    list.push(tick);
    bySecond.set(tick.second, list);
  }
  return [...bySecond.keys()]
    .sort((a, b) => a - b)
    .map((second) => {
      const list = bySecond.get(second) ?? [];
      const histogram = mergeEncoded(list.map((t) => t.histogram));
      try {
        return {
          second,
          warmup: second - 1 < warmupS, // the interval (second − 1, second] overlaps the warm-up
          msgsPerS: list.reduce((a, t) => a + t.received, 0),
          p50Us: histogram.getValueAtPercentile(50),
          p99Us: histogram.getValueAtPercentile(99),
          errors: list.reduce((a, t) => a + t.errors, 0),
          errorsByCategory: list.reduce((all, t) => (addTally(all, t.errorsByCategory), all), {} as Record<string, number>),
          reconnects: list.reduce((a, t) => a + (t.reconnects ?? 0), 0),
          openStreams: list.reduce((a, t) => a + (t.openStreams ?? 0), 0),
          breakersOpen: list.filter((t) => t.breaker === 'open').length,
          connectionsOpened: list.reduce((a, t) => a + (t.connectionsOpened ?? 0), 0),
          ...memoryOf(memoryBySecond.get(second), list),
          ...(withBackends ? { backends: backendsOf(list) } : {}),
        };
      } finally {
        histogram.destroy();
      }
    });
}

/** Echoes of one second by backend, over the workers' ticks (bounded like the live figures). */
function backendsOf(ticks: readonly ProgressTick[]): Record<string, number> {
  return Object.fromEntries(mergeBackendSeconds(ticks.map((t) => t.backends)).map((b) => [b.backend, b.received]));
}

/** The memory fields of a time-series point: the main thread's sample and the workers' heaps. */
function memoryOf(sample: MemoryPoint | undefined, ticks: readonly ProgressTick[]): Pick<TimeSeriesPoint, 'rssMiB' | 'heapUsedMiB' | 'workerHeapUsedMiB'> {
  const workerHeap = ticks.some((t) => t.heapUsedBytes !== undefined) ? ticks.reduce((a, t) => a + (t.heapUsedBytes ?? 0), 0) : null;
  return {
    ...(sample === undefined ? {} : { rssMiB: sample.rssMiB, heapUsedMiB: sample.heapUsedMiB }),
    ...(workerHeap === null ? {} : { workerHeapUsedMiB: toMiB(workerHeap) }),
  };
}
