/**
 * The V8 heap limits of the load-generating worker threads (`--worker-heap`, `--worker-young`),
 * and the error a worker that ran out of them fails the run with.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { BenchError } from '../errors.js';

export interface WorkerMemoryLimits {
  /** Old generation cap per worker, MiB; null = V8's default. */
  heapMiB: number | null;
  /** Young generation per worker, MiB; null = V8's default. */
  youngMiB: number | null;
}

/** piscina's (and worker_threads') resourceLimits for these limits; undefined when none is set. */
export function workerResourceLimits(limits: WorkerMemoryLimits | undefined): ResourceLimits | undefined {
  if (!limits || (limits.heapMiB === null && limits.youngMiB === null)) return undefined;
  return {
    ...(limits.heapMiB === null ? {} : { maxOldGenerationSizeMb: limits.heapMiB }),
    ...(limits.youngMiB === null ? {} : { maxYoungGenerationSizeMb: limits.youngMiB }),
  };
}

/** Node's code for a worker terminated because its heap reached its resourceLimits. */
const OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

export function isWorkerOutOfMemory(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === OUT_OF_MEMORY;
}

/**
 * A worker that died of its heap limit, said in the run's terms: which worker, what it carried,
 * the limit, and what to change. Other failures pass through unchanged.
 */
export function explainWorkerFailure(error: unknown, worker: { workerIndex: number; streams: number; connections: number }, limits: WorkerMemoryLimits | undefined): unknown {
  if (!isWorkerOutOfMemory(error)) return error;
  const cap = limits?.heapMiB ?? null;
  const young = limits?.youngMiB ?? null;
  const limit = (cap === null ? "V8's default heap limit" : `--worker-heap ${cap} MiB`) + (young === null ? '' : ` (with --worker-young ${young} MiB)`);
  const fix = cap === null ? 'spread the streams over more --workers or lower --streams' : 'raise --worker-heap (or leave it unset), or spread the streams over more --workers';
  return new BenchError(
    `worker ${worker.workerIndex} ran out of memory: its V8 heap reached ${limit} with ${worker.streams} streams on ${worker.connections} connections, and the run was stopped; ${fix}`,
  );
}
