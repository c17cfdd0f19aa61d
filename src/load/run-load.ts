import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ControlMessage, ProgressTick, WorkerMessage, WorkerResult, WorkerTask } from '../types.js';
import { siblingModule } from './module-path.js';
import type { WorkerInput } from './worker.js';

export interface LiveProgress {
  second: number;
  /** Echoes in that second, over all workers. */
  received: number;
  errors: number;
}

export interface LoadOutcome {
  results: WorkerResult[];
  ticks: ProgressTick[];
  /** Epoch ms of the common start (second 0 of the time series); null if the workers never started. */
  startEpochMs: number | null;
}

export interface LoadHooks {
  /** Called once all workers are connected, just before the common start. */
  onStart?: () => void;
  onProgress?: (progress: LiveProgress) => void;
  /** Aborting asks every worker to stop and return what it measured. */
  signal?: AbortSignal;
}

const START_DELAY_MS = 50;

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
  });
  const ports: MessagePort[] = [];
  const ticks: ProgressTick[] = [];
  const perSecond = new Map<number, { received: number; errors: number; workers: number }>();
  let ready = 0;
  let startEpochMs: number | null = null;
  const broadcast = (message: ControlMessage): void => {
    for (const port of ports) port.postMessage(message);
  };
  const onAbort = (): void => broadcast({ type: 'stop' });

  try {
    const runs = tasks.map((task) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          if (++ready === tasks.length) {
            hooks.onStart?.();
            startEpochMs = Date.now() + START_DELAY_MS;
            broadcast({ type: 'start', epochMs: startEpochMs });
            if (hooks.signal?.aborted) onAbort();
          }
          return;
        }
        ticks.push(message);
        const entry = perSecond.get(message.second) ?? { received: 0, errors: 0, workers: 0 };
        entry.received += message.received;
        entry.errors += message.errors;
        entry.workers++;
        perSecond.set(message.second, entry);
        if (entry.workers === tasks.length) {
          perSecond.delete(message.second);
          hooks.onProgress?.({ second: message.second, received: entry.received, errors: entry.errors });
        }
      });
      return pool.run({ task, port: port2 }, { name: 'runWorker', transferList: [port2] });
    });
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // One failed worker stops the others, so none of them waits for a start that never comes.
    const settled = await Promise.allSettled(runs.map((run) => run.catch((error: unknown) => (onAbort(), Promise.reject(error)))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<WorkerResult>).value);
    return { results, ticks, startEpochMs };
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    for (const port of ports) port.close();
    await pool.destroy();
  }
}
