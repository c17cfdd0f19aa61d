import type { ClientCredentials, RunConfig, WorkerTask } from '../types.js';

/** Splits `total` into `parts` near-equal integers, larger shares first. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** One task per worker: connections, streams, rate and message budget spread evenly. */
export function splitRun(config: RunConfig, target: string, credentials: ClientCredentials | null = null, targets: string[] = [target]): WorkerTask[] {
  const connections = splitEvenly(config.connections, config.workers);
  const streams = splitEvenly(config.streams, config.workers);
  const perStreamMessages = config.messages === null ? null : splitEvenly(config.messages, config.streams);
  let firstStream = 0;
  let firstConnection = 0;
  return streams.map((workerStreams, workerIndex) => {
    const task: WorkerTask = {
      workerIndex,
      target,
      targets,
      lb: config.lb ?? 'pick_first',
      firstConnection,
      engine: config.engine,
      credentials,
      resilience: config.resilience,
      connections: connections[workerIndex] ?? 1,
      streams: workerStreams,
      inFlight: config.inFlight,
      rate: config.rate === null ? null : (config.rate * workerStreams) / config.streams,
      firstStream,
      totalStreams: config.streams,
      size: config.size,
      compressibility: config.compressibility,
      compression: config.compression,
      window: config.window,
      maxMessageSize: config.maxMessageSize,
      messagesPerStream: config.messagesPerStream,
      connectionChurn: config.connectionChurn ?? null,
      warmupMs: config.warmupS * 1000,
      durationMs: config.durationS === null ? null : config.durationS * 1000,
      messages: perStreamMessages === null ? null : sum(perStreamMessages.slice(firstStream, firstStream + workerStreams)),
      verify: config.verify,
      pacing: config.pacing,
      drainTimeoutMs: config.drainTimeoutS * 1000,
      timeoutMs: config.timeoutS * 1000,
    };
    firstStream += workerStreams;
    firstConnection += task.connections;
    return task;
  });
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
