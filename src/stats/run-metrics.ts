import type { Counters, RunMetrics, WireBytes } from '../types.js';
import { countErrors } from './aggregate.js';
import { summarizeEncoded } from './histogram.js';

const MIB = 1024 * 1024;

/** What the figures of a run are computed from: exact sums and merged histograms of its parts. */
export interface RunMetricsInput {
  counters: Counters;
  /** Encoded histograms (µs), already merged. */
  histograms: { latencyUs: string; latencyUncorrectedUs: string | null; setupUs: string; connectUs: string };
  wireBytes: WireBytes | null;
  /** The measured window, epoch ms: throughput is counted over it. */
  windowStartMs: number;
  windowEndMs: number;
  payload: RunMetrics['payload'];
  generator: { cpuUs: number; cpuUtilization: number | null; workerEventLoopUtilization: number[] };
  serverCpuUs: number | null;
  resilience: RunMetrics['resilience'];
}

/**
 * A run's derived figures: rates over the measured window, percentiles of the merged histograms,
 * CPU per echoed message (warm-up included, like its CPU time). Used for one process's run and
 * for shards merged into one.
 */
export function buildRunMetrics(input: RunMetricsInput): RunMetrics {
  const c = input.counters;
  const durationS = Math.max(0, (input.windowEndMs - input.windowStartMs) / 1000);
  const perSecond = (n: number, round: (x: number) => number): number => (durationS > 0 ? round(n / durationS) : 0);
  const perMessage = (us: number): number | null => (c.receivedTotal > 0 ? round2(us / c.receivedTotal) : null);
  const wire = input.wireBytes;
  return {
    durationS: round3(durationS),
    counters: c,
    msgsPerS: perSecond(c.receivedInWindow, round2),
    mibPerSSent: perSecond(c.bytesSent / MIB, round3),
    mibPerSReceived: perSecond(c.bytesReceived / MIB, round3),
    wire:
      wire === null
        ? null
        : { bytesSent: wire.sent, bytesReceived: wire.received, mibPerSSent: perSecond(wire.sent / MIB, round3), mibPerSReceived: perSecond(wire.received / MIB, round3) },
    payload: input.payload,
    streamsOpenedPerS: perSecond(c.streamsOpened, round2),
    latencyUs: summarizeEncoded([input.histograms.latencyUs]),
    latencyUncorrectedUs: input.histograms.latencyUncorrectedUs === null ? null : summarizeEncoded([input.histograms.latencyUncorrectedUs]),
    setupLatencyUs: summarizeEncoded([input.histograms.setupUs]),
    connectLatencyUs: summarizeEncoded([input.histograms.connectUs]),
    errorsTotal: countErrors(c),
    generator: {
      cpuUs: Math.round(input.generator.cpuUs),
      cpuUsPerMsg: perMessage(input.generator.cpuUs),
      cpuUtilization: input.generator.cpuUtilization,
      workerEventLoopUtilization: input.generator.workerEventLoopUtilization,
    },
    server: input.serverCpuUs === null ? null : { cpuUs: Math.round(input.serverCpuUs), cpuUsPerMsg: perMessage(input.serverCpuUs) },
    resilience: input.resilience,
  };
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
