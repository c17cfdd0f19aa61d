/**
 * Piscina worker entry (`runWorker`): owns its channels and streams for the whole run,
 * posts a tick every second over its MessagePort and returns encoded histograms.
 */
import { setImmediate as setImmediatePromise, setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import { loadEngine } from '../engine/engines.js';
import type { ConnectionSettings, StreamHandler, TransportConnection, TransportStream, WireBytes } from '../engine/transport.js';
import { loadClientTls } from '../security/client-tls.js';
import { openTokenSource } from '../security/token-source.js';
import { PayloadFactory } from '../grpc/payload.js';
import { buildPayloadPattern } from '../grpc/payload-pattern.js';
import { splitEvenly } from '../plan/split-run.js';
import { sumWireBytes } from '../stats/aggregate.js';
import { encodeHistogram, initHistograms } from '../stats/histogram.js';
import type { BreakerTransition, ControlMessage, ProgressTick, StopReason, WorkerMessage, WorkerResult, WorkerTask } from '../types.js';
import { OpenLoopScheduler } from './open-loop-scheduler.js';
import { streamSchedule } from './pacer.js';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { isRetryable } from '../resilience/resilience-config.js';
import { backoffOf, breakerOf, type BreakerState } from '../resilience/reconnect-policy.js';
import { ConnectionSlot } from './connection-slot.js';
import { placeConnection } from './connection-placement.js';
import { StreamDriver, type ReconnectOptions } from './stream-driver.js';
import { WorkerState } from './worker-state.js';

export interface WorkerInput {
  task: WorkerTask;
  port: MessagePort;
}

const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 2_000;

export async function runWorker({ task, port }: WorkerInput): Promise<WorkerResult> {
  await initHistograms();
  const post = (message: WorkerMessage): void => port.postMessage(message);
  const engine = await loadEngine(task.engine);
  const token = task.credentials?.token ? await openTokenSource(task.credentials.token) : null;
  const settings: ConnectionSettings = {
    target: task.target,
    tls: loadClientTls(task.credentials),
    callMetadata: token === null ? null : () => ({ authorization: `Bearer ${token.current()}` }),
    compression: task.compression,
    window: task.window,
    maxMessageSize: task.maxMessageSize,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    reconnectBackoff: task.resilience.reconnect ? { initialMs: task.resilience.backoffInitialMs, maxMs: task.resilience.backoffMaxMs } : null,
  };
  const state = new WorkerState(task.rate !== null);
  const placement = { addresses: task.targets ?? [task.target], lb: task.lb ?? 'pick_first', firstConnection: task.firstConnection ?? 0 } as const;
  const connectors = Array.from({ length: task.connections }, (_, c) => placeConnection(engine, settings, placement, c));
  const connecting = connectors.map((connect) => connect());
  let slots: ConnectionSlot[] = [];
  try {
    const connections = await Promise.all(connecting);
    const connected = (connection: TransportConnection): void => state.recordConnect(connection.connectMs);
    connections.forEach(connected);
    slots = connections.map((connection, c) => new ConnectionSlot(connection, connectors[c] as () => Promise<TransportConnection>, connected, task.connectionChurn));
    return await drive(task, slots, state, port, post);
  } finally {
    state.destroy();
    token?.stop();
    for (const slot of slots) slot.close();
    if (slots.length === 0) for (const settled of await Promise.allSettled(connecting)) if (settled.status === 'fulfilled') settled.value.close();
    port.close();
  }
}

/** Wire bytes of all connections so far, reconnections included (null when the engine can't count them). */
function wireTotal(slots: readonly ConnectionSlot[]): WireBytes | null {
  return sumWireBytes(slots.flatMap((slot) => slot.wireBytes()));
}

/** --reconnect's options for the streams of one connection; null without it. */
function reconnectOptions(task: WorkerTask, slot: ConnectionSlot, payload: PayloadFactory, breaker: CircuitBreakerPolicy | null): ReconnectOptions | null {
  const config = task.resilience;
  if (!config.reconnect) return null;
  return {
    retryable: (status) => isRetryable(config, status.code, status.origin === 'transport'),
    maxReconnects: config.maxReconnects,
    backoff: backoffOf(config),
    breaker,
    reopen: async (handler) => slot.openStream(handler, payload),
  };
}

async function drive(
  task: WorkerTask,
  slots: ConnectionSlot[],
  state: WorkerState,
  port: MessagePort,
  post: (message: WorkerMessage) => void,
): Promise<WorkerResult> {
  const payload = new PayloadFactory(task.size, buildPayloadPattern(task.size, task.compressibility));
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
  let budgetDrainTimer: NodeJS.Timeout | undefined;
  /** The echoes already had their drain timeout (a --messages run whose last echoes never came). */
  let drained = false;
  let wake: (unblocked?: StreamDriver | null) => void = () => undefined;
  const drivers: StreamDriver[] = [];
  const breakerTransitions: BreakerTransition[] = [];
  let breakerState: BreakerState | null = task.resilience.breaker === null ? null : 'closed';
  const breaker = breakerOf(task.resilience, (next) => {
    breakerState = next;
    breakerTransitions.push({ atMs: Date.now(), state: next });
  });
  const streamOptions = (i: number, startMs: number) => ({
    reconnect: reconnectOptions(task, slots[i % slots.length] as ConnectionSlot, payload, breaker),
    inFlight: task.inFlight,
    budget: budgets?.[i] ?? null,
    schedule: task.rate === null ? null : streamSchedule(startMs, task.rate * (task.totalStreams / task.streams), task.totalStreams, task.firstStream + i),
    verify: task.verify,
    messagesPerStream: task.messagesPerStream,
    onFinished: () => {
      finishedStreams++;
      wake();
      if (finishedStreams === drivers.length && stopReason === null) stop('all-streams-failed');
    },
    onRoom: (unblocked: StreamDriver | null) => wake(unblocked),
    onDone: () => {
      // Every measured message is sent: its echoes get the drain timeout, as after any stop
      // (an echo that never comes must not hold a --messages run until --timeout).
      if (++doneStreams === drivers.length && budgets !== null && stopReason === null) {
        budgetDrainTimer = setTimeout(() => {
          drained = true;
          stop('messages');
        }, task.drainTimeoutMs);
      }
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
  // Timers may fire up to ~1 ms early by performance.now(): wait out the rest.
  while (performance.now() < startMs) await setImmediatePromise();
  const eluStart = performance.eventLoopUtilization();

  state.warmEndMs = startMs + task.warmupMs;
  if (task.durationMs !== null) state.endMs = state.warmEndMs + task.durationMs;
  // Wire bytes count inside the measured window: sampled when it starts and when sending stops.
  let wireAtStart: WireBytes | null = wireTotal(slots);
  let wireInWindow: WireBytes | null = null;
  const sampleWindowEnd = (): void => {
    const now = wireTotal(slots);
    wireInWindow = now === null || wireAtStart === null ? null : { sent: now.sent - wireAtStart.sent, received: now.received - wireAtStart.received };
  };
  // Without a warm-up the first sends (counted when they are flushed) already belong to the window.
  const warmTimer = state.warmEndMs > performance.now() ? setTimeout(() => (wireAtStart = wireTotal(slots)), state.warmEndMs - performance.now()) : undefined;
  for (let i = 0; i < task.streams; i++) {
    const slot = slots[i % slots.length] as ConnectionSlot;
    // On a connection the server sent GOAWAY on (or that was lost), or that carried its share
    // of calls (--connection-churn), the slot connects again first.
    const open = (handler: StreamHandler): TransportStream | Promise<TransportStream> => slot.openStream(handler, payload);
    drivers.push(new StreamDriver(open, state, payload, streamOptions(i, startMs)));
  }

  // Per-second ticks aligned to the common start.
  let second = 0;
  let tickTimer: NodeJS.Timeout | undefined;
  let eluMark = eluStart;
  const nextTick = (): ProgressTick => {
    second++;
    const openStreams = drivers.reduce((n, d) => n + (d.up ? 1 : 0), 0);
    const eluNow = performance.eventLoopUtilization();
    const eventLoopUtilization = performance.eventLoopUtilization(eluNow, eluMark).utilization;
    eluMark = eluNow;
    return { type: 'tick', workerIndex: task.workerIndex, second, openStreams, breaker: breakerState, eventLoopUtilization, heapUsedBytes: getHeapStatistics().used_heap_size, ...state.takeInterval() };
  };
  const scheduleTick = (): void => {
    tickTimer = setTimeout(() => {
      post(nextTick());
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
      clearTimeout(warmTimer);
      sampleWindowEnd();
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
  clearTimeout(budgetDrainTimer);

  // Drain: wait for outstanding (and owed) echoes, then half-close and let the server end each stream.
  await waitUntil(allAnswered, drained ? 0 : task.drainTimeoutMs, (check) => (onDrainProgress = check));
  scheduler?.stop();
  for (const driver of drivers) driver.halfClose();
  await waitUntil(() => finishedStreams === drivers.length, CLOSE_TIMEOUT_MS, (check) => (onDrainProgress = check));
  for (const driver of drivers) driver.abandon();
  state.endOutages(performance.now());
  clearTimeout(tickTimer);
  // The rest of the last second goes back with the result (a tick posted now could arrive after it).
  const finalTick: ProgressTick = { ...nextTick(), partial: true };
  const elu = performance.eventLoopUtilization(eluStart);

  const windowEndMs = stopReason === 'messages' ? Math.max(state.lastMeasuredReplyMs, state.warmEndMs) : state.endMs;
  return {
    workerIndex: task.workerIndex,
    finalTick,
    counters: state.counters,
    histogram: encodeHistogram(state.latency),
    uncorrectedHistogram: state.uncorrected ? encodeHistogram(state.uncorrected) : null,
    setupHistogram: encodeHistogram(state.setup),
    connectHistogram: encodeHistogram(state.connect),
    backends: state.backends.results(),
    wireBytes: wireInWindow,
    outages: state.outages,
    recoveries: state.recoveries,
    breakerTransitions,
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
