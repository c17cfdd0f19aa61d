/**
 * Piscina worker entry (`runWorker`): owns its channels and streams for the whole run,
 * posts a tick every second over its MessagePort and returns encoded histograms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { clientChannelOptions } from '../grpc/channel-options.js';
import { PayloadFactory } from '../grpc/payload.js';
import { loadStreamProto, type StreamServiceClient } from '../grpc/proto.js';
import { splitEvenly } from '../plan/split-run.js';
import { encodeHistogram, initHistograms } from '../stats/histogram.js';
import type { ControlMessage, StopReason, WorkerMessage, WorkerResult, WorkerTask } from '../types.js';
import { OpenLoopScheduler } from './open-loop-scheduler.js';
import { streamSchedule } from './pacer.js';
import { StreamDriver } from './stream-driver.js';
import { WorkerState } from './worker-state.js';

export interface WorkerInput {
  task: WorkerTask;
  port: MessagePort;
}

const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 2_000;

function waitForReady(client: grpc.Client, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => {
      if (error) reject(new Error(`cannot connect to ${target} within ${CONNECT_TIMEOUT_MS} ms: ${error.message}`));
      else resolve();
    });
  });
}


export async function runWorker({ task, port }: WorkerInput): Promise<WorkerResult> {
  await initHistograms();
  const post = (message: WorkerMessage): void => port.postMessage(message);
  const proto = loadStreamProto();
  const options = clientChannelOptions({ compression: task.compression, window: task.window, maxMessageSize: task.maxMessageSize, ownConnection: true });
  const clients: StreamServiceClient[] = Array.from(
    { length: task.connections },
    () => new proto.stream.StreamService(task.target, grpc.credentials.createInsecure(), options),
  );
  const state = new WorkerState(task.rate !== null);
  try {
    await Promise.all(clients.map((client) => waitForReady(client, task.target)));
    return await drive(task, clients, state, port, post);
  } finally {
    state.destroy();
    for (const client of clients) client.close();
    port.close();
  }
}

async function drive(
  task: WorkerTask,
  clients: StreamServiceClient[],
  state: WorkerState,
  port: MessagePort,
  post: (message: WorkerMessage) => void,
): Promise<WorkerResult> {
  const payload = new PayloadFactory(task.size);
  const budgets = task.messages === null ? null : splitEvenly(task.messages, task.streams);
  let stopReason: StopReason | null = null;
  let onStop: () => void = () => undefined;
  const stop = (reason: StopReason): void => {
    if (stopReason !== null) return;
    stopReason = reason;
    onStop();
  };
  let finishedStreams = 0;
  let doneStreams = 0;
  let wake: (unblocked?: StreamDriver | null) => void = () => undefined;
  const drivers: StreamDriver[] = [];
  const streamOptions = (i: number, startMs: number) => ({
    inFlight: task.inFlight,
    budget: budgets?.[i] ?? null,
    schedule: task.rate === null ? null : streamSchedule(startMs, task.rate * (task.totalStreams / task.streams), task.totalStreams, task.firstStream + i),
    verify: task.verify,
    onFinished: () => {
      finishedStreams++;
      wake();
      if (finishedStreams === drivers.length && stopReason === null) stop('all-streams-failed');
    },
    onRoom: (unblocked: StreamDriver | null) => wake(unblocked),
    onDone: () => {
      doneStreams++;
    },
  });

  // Wait for the common start time, then open the streams exactly at it.
  const startEpochMs = await new Promise<number>((resolve) => {
    port.on('message', (message: ControlMessage) => {
      if (message.type === 'start') resolve(message.epochMs);
      else if (message.type === 'stop') {
        stop('interrupted');
        resolve(Date.now()); // stopped before the start: start now; sending stops at once
      }
    });
    post({ type: 'ready', workerIndex: task.workerIndex });
  });
  const startMs = startEpochMs - performance.timeOrigin;
  await sleep(Math.max(0, startMs - performance.now()));
  const eluStart = performance.eventLoopUtilization();

  state.warmEndMs = startMs + task.warmupMs;
  if (task.durationMs !== null) state.endMs = state.warmEndMs + task.durationMs;
  for (let i = 0; i < task.streams; i++) {
    const client = clients[i % clients.length] as StreamServiceClient;
    drivers.push(new StreamDriver(client.RouteChat(), state, payload, streamOptions(i, startMs)));
  }

  // Per-second ticks aligned to the common start.
  let second = 0;
  let tickTimer: NodeJS.Timeout | undefined;
  const scheduleTick = (): void => {
    tickTimer = setTimeout(() => {
      second++;
      post({ type: 'tick', workerIndex: task.workerIndex, second, ...state.takeInterval() });
      scheduleTick();
    }, startMs + (second + 1) * 1000 - performance.now());
  };
  scheduleTick();

  const timers: NodeJS.Timeout[] = [setTimeout(() => stop('timeout'), task.timeoutMs)];
  if (task.durationMs !== null) timers.push(setTimeout(() => stop('duration'), state.endMs - performance.now()));

  // Sending: closed loop fills every window; open loop pumps on a timer and whenever room appears.
  const sendingDone = new Promise<void>((resolve) => {
    onStop = () => {
      const now = performance.now();
      if (state.endMs > now) state.endMs = now;
      for (const driver of drivers) state.owed += driver.stopSending(state.endMs);
      resolve();
    };
    if (stopReason !== null) onStop();
  });
  const budgetsSpent = (): boolean => budgets !== null && doneStreams === drivers.length;
  // Open loop: the window's held-back messages (owed) are still sent while draining.
  const allAnswered = (): boolean => state.outstanding === 0 && state.owed === 0;
  const scheduler = task.rate === null ? null : new OpenLoopScheduler(drivers, task.pacing === 'spin');
  let onDrainProgress: () => void = () => undefined;
  wake = (unblocked = null) => {
    scheduler?.wake(unblocked);
    if (stopReason !== null) onDrainProgress();
    else if (budgets !== null && budgetsSpent() && allAnswered()) stop('messages');
  };
  if (scheduler === null) {
    for (const driver of drivers) driver.fill();
  } else {
    scheduler.pump();
  }
  if (stopReason === null && budgetsSpent() && allAnswered()) stop('messages');

  await sendingDone;
  for (const timer of timers) clearTimeout(timer);

  // Drain: wait for outstanding (and owed) echoes, then half-close and let the server end each stream.
  await waitUntil(allAnswered, task.drainTimeoutMs, (check) => (onDrainProgress = check));
  scheduler?.stop();
  for (const driver of drivers) driver.halfClose();
  await waitUntil(() => finishedStreams === drivers.length, CLOSE_TIMEOUT_MS, (check) => (onDrainProgress = check));
  for (const driver of drivers) driver.abandon();
  clearTimeout(tickTimer);
  const elu = performance.eventLoopUtilization(eluStart);

  const windowEndMs = stopReason === 'messages' ? Math.max(state.lastMeasuredReplyMs, state.warmEndMs) : state.endMs;
  return {
    workerIndex: task.workerIndex,
    counters: state.counters,
    histogram: encodeHistogram(state.latency),
    uncorrectedHistogram: state.uncorrected ? encodeHistogram(state.uncorrected) : null,
    windowStartMs: performance.timeOrigin + Math.min(state.warmEndMs, windowEndMs),
    windowEndMs: performance.timeOrigin + windowEndMs,
    eventLoopUtilization: elu.utilization,
    stopReason: stopReason ?? 'interrupted',
    firstError: state.firstError,
  };
}

/** Resolves when `done()` holds (checked whenever the callback given to `setCheck` is called) or after timeoutMs. */
function waitUntil(done: () => boolean, timeoutMs: number, setCheck: (check: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    setCheck(() => {
      if (done()) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
