import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ControlMessage, ProgressTick, WorkerMessage, WorkerResult, WorkerTask } from '../types.js';
import { addTally, toMiB, type MemoryPoint } from '../stats/aggregate.js';
import { mergeBackendSeconds } from '../stats/backend-seconds.js';
import { encodeHistogram, mergeEncoded, summarize } from '../stats/histogram.js';
import { round3 } from '../stats/run-metrics.js';
import { siblingModule } from './module-path.js';
import type { WorkerInput } from './worker.js';
import { explainWorkerFailure, workerResourceLimits, type WorkerMemoryLimits } from './worker-limits.js';

/** One second of a run as it happens, over all workers (built in the main thread from the workers' ticks). */
export interface LiveProgress {
  second: number;
  /** Echoes in that second, over all workers. */
  received: number;
  errors: number;
  errorsByCategory: Record<string, number>;
  /** Latency of the echoes of that second, µs (0 when none). */
  latencyUs: { p50: number; p99: number; p999: number; max: number };
  /** That second's latency histogram, encoded (µs). */
  histogram: string;
  reconnects: number;
  openStreams: number;
  breakersOpen: number;
  /** The generator process's CPU use over that second, in CPUs (1 = one core busy). */
  generatorCpu: number;
  /** Connections opened in that second, over all workers. */
  connectionsOpened: number;
  /** Generator memory when the second was merged (RSS includes the worker threads), MiB. */
  rssMiB: number;
  heapUsedMiB: number;
  /** Heap used by the worker threads' isolates (summed), MiB. */
  workerHeapUsedMiB: number;
  /** The run's last, partial second (after the last whole one, to the end of the drain): counts only, not a rate. */
  partial: boolean;
  /** Each worker's event-loop utilization over that second (0–1), by worker index. */
  workerEventLoopUtilization: number[];
  /** Open loop: how late that second's measured sends went out, over all workers; null when none. */
  sendLagMs: { mean: number; max: number } | null;
  /**
   * Echoes of that second per backend, over all workers, sorted by backend (at most 64 entries;
   * beyond, the rest summed as "other"); empty when no call has been answered yet.
   */
  backends: { backend: string; msgsPerS: number }[];
}

export interface LoadOutcome {
  results: WorkerResult[];
  ticks: ProgressTick[];
  /** The generator's memory, sampled each time a second's ticks were merged. */
  memory: MemoryPoint[];
  /** Epoch ms of the common start (second 0 of the time series); null if the workers never started. */
  startEpochMs: number | null;
}

export interface LoadHooks {
  /** Called once all workers are connected, just before the common start. */
  onStart?: () => void;
  /**
   * The common start as epoch ms (`--start-at`, a sweep slot) instead of just after all workers
   * are ready; workers ready after it start at once (the outcome's startEpochMs says when).
   */
  startAtMs?: number | null;
  onProgress?: (progress: LiveProgress) => void;
  /** Aborting asks every worker to stop and return what it measured. */
  signal?: AbortSignal;
  /** V8 heap limits of every worker thread (`--worker-heap`, `--worker-young`). */
  workerMemory?: WorkerMemoryLimits;
}

const START_DELAY_MS = 50;
/** With a planned start the workers were ready too late for: the least time to tell them to start. */
const LATE_START_DELAY_MS = 5;


/** This process's memory now: RSS (every thread) and the main isolate's heap used, MiB. */
export function sampleMemory(second: number): MemoryPoint {
  const usage = process.memoryUsage();
  return { second, rssMiB: toMiB(usage.rss), heapUsedMiB: toMiB(usage.heapUsed) };
}

/** The ticks of all workers for one second, merged. */
export function liveSecond(ticks: readonly ProgressTick[], generatorCpu: number, memory: MemoryPoint = sampleMemory(ticks[0]?.second ?? 0)): LiveProgress {
  const merged = mergeEncoded(ticks.map((t) => t.histogram));
  const summary = summarize(merged);
  const histogram = encodeHistogram(merged);
  merged.destroy();
  const errorsByCategory: Record<string, number> = {};
  for (const t of ticks) addTally(errorsByCategory, t.errorsByCategory);
  const sum = (pick: (t: ProgressTick) => number | undefined): number => ticks.reduce((a, t) => a + (pick(t) ?? 0), 0);
  return {
    second: ticks[0]?.second ?? 0,
    received: sum((t) => t.received),
    errors: sum((t) => t.errors),
    errorsByCategory,
    latencyUs: { p50: summary.p50, p99: summary.p99, p999: summary.p999, max: summary.max },
    histogram,
    reconnects: sum((t) => t.reconnects),
    openStreams: sum((t) => t.openStreams),
    breakersOpen: ticks.filter((t) => t.breaker === 'open').length,
    generatorCpu: round3(generatorCpu),
    workerEventLoopUtilization: [...ticks].sort((a, b) => a.workerIndex - b.workerIndex).map((t) => round3(t.eventLoopUtilization ?? 0)),
    sendLagMs: sendLagOf(ticks),
    partial: ticks.some((t) => t.partial === true),
    connectionsOpened: sum((t) => t.connectionsOpened),
    rssMiB: memory.rssMiB,
    heapUsedMiB: memory.heapUsedMiB,
    workerHeapUsedMiB: toMiB(sum((t) => t.heapUsedBytes)),
    backends: mergeBackendSeconds(ticks.map((t) => t.backends)).map((b) => ({ backend: b.backend, msgsPerS: b.received })),
  };
}

/** The send lag of one second over all workers: mean weighted by sends, and the largest. */
function sendLagOf(ticks: readonly ProgressTick[]): LiveProgress['sendLagMs'] {
  let sends = 0;
  let totalMs = 0;
  let maxMs = 0;
  for (const t of ticks) {
    if (!t.sendLag) continue;
    sends += t.sendLag.sends;
    totalMs += t.sendLag.meanMs * t.sendLag.sends;
    maxMs = Math.max(maxMs, t.sendLag.maxMs);
  }
  return sends === 0 ? null : { mean: round3(totalMs / sends), max: round3(maxMs) };
}

/** Runs one worker task per thread; all workers start together at a common epoch time. */
export async function runLoad(tasks: WorkerTask[], hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const pool = new Piscina<WorkerInput, WorkerResult>({
    filename: siblingModule(import.meta.url, './worker.js'),
    minThreads: tasks.length,
    maxThreads: tasks.length,
    concurrentTasksPerWorker: 1,
    // 'sync' parks idle workers in Atomics.wait, which would freeze their sockets.
    atomics: 'disabled',
    idleTimeout: 1_000,
    resourceLimits: workerResourceLimits(hooks.workerMemory),
  });
  const ports: MessagePort[] = [];
  const ticks: ProgressTick[] = [];
  const memory: MemoryPoint[] = [];
  const perSecond = new Map<number, ProgressTick[]>();
  let cpuMark = { usage: process.cpuUsage(), at: performance.now() };
  let ready = 0;
  let startEpochMs: number | null = null;
  let startTimer: NodeJS.Timeout | undefined;
  const broadcast = (message: ControlMessage): void => {
    for (const port of ports) port.postMessage(message);
  };
  const onAbort = (): void => broadcast({ type: 'stop' });
  const emitSecond = (entry: ProgressTick[], second: number): void => {
    perSecond.delete(second);
    const usage = process.cpuUsage(cpuMark.usage);
    const now = performance.now();
    const generatorCpu = (usage.user + usage.system) / 1000 / Math.max(1, now - cpuMark.at);
    cpuMark = { usage: process.cpuUsage(), at: now };
    const sample = sampleMemory(second);
    if (!entry.some((t) => t.partial)) memory.push(sample);
    hooks.onProgress?.(liveSecond(entry, generatorCpu, sample));
  };
  /** A second goes out once every worker's tick for it arrived. */
  const addTick = (tick: ProgressTick): void => {
    const entry = perSecond.get(tick.second) ?? [];
    entry.push(tick);
    perSecond.set(tick.second, entry);
    if (entry.length === tasks.length) emitSecond(entry, tick.second);
  };

  try {
    const runs = tasks.map((task) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          if (++ready === tasks.length) {
            const planned = hooks.startAtMs ?? null;
            const soonest = Date.now() + (planned === null ? START_DELAY_MS : LATE_START_DELAY_MS);
            const epochMs = planned === null ? soonest : Math.max(planned, soonest);
            startEpochMs = epochMs;
            // Waiting for a planned start: onStart comes just before it, so CPU and wall time cover the load only.
            const untilStart = epochMs - START_DELAY_MS - Date.now();
            if (untilStart > 0) startTimer = setTimeout(() => hooks.onStart?.(), untilStart);
            else hooks.onStart?.();
            broadcast({ type: 'start', epochMs });
            if (hooks.signal?.aborted) onAbort();
          }
          return;
        }
        ticks.push(message);
        addTick(message);
      });
      return pool
        .run({ task, port: port2 }, { name: 'runWorker', transferList: [port2] })
        .catch((error: unknown) => Promise.reject(explainWorkerFailure(error, task, hooks.workerMemory)));
    });
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // One failed worker stops the others, so none of them waits for a start that never comes.
    const settled = await Promise.allSettled(runs.map((run) => run.catch((error: unknown) => (onAbort(), Promise.reject(error)))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<WorkerResult>).value);
    // The workers' last, partial seconds: to the observers (so their counters add up to the
    // results), not to the time series, whose points are whole seconds.
    for (const result of results) if (result.finalTick) addTick(result.finalTick);
    for (const [second, entry] of [...perSecond.entries()].sort(([a], [b]) => a - b)) emitSecond(entry, second);
    return { results, ticks, memory, startEpochMs };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    clearTimeout(startTimer);
    for (const port of ports) port.close();
    await pool.destroy();
  }
}
