import { cpus } from 'node:os';
import { expandCpuList } from '../config/checks.js';
import { unpinned } from '../config/placement.js';
import { splitRun } from '../plan/split-run.js';
import { buildTimeSeries, countErrors, mergeWorkerResults, sumCounters } from '../stats/aggregate.js';
import { mergeOutages, mergeTransitions, sumRecoveries } from '../stats/merge-outages.js';
import { diagnoseRun } from '../stats/diagnose.js';
import { initHistograms, summarizeEncoded } from '../stats/histogram.js';
import { ConfigError, describeError } from '../errors.js';
import { measurePayloadSavings } from '../grpc/payload-savings.js';
import type { ClientCredentials, CpuPlacement, RunConfig, RunMetrics, RunRecord, StopReason, WorkerResult } from '../types.js';
import { canPin, originalAffinity, pinProcess } from './cpu-affinity.js';
import type { RunObserver } from '../observe/observer.js';
import { loadClientTls } from '../security/client-tls.js';
import { embeddedCredentials, embeddedServerOptions } from './embedded-security.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { checkReachable } from './preflight.js';
import { runLoad, type LiveProgress } from './run-load.js';

export interface ExecuteRunOptions {
  config: RunConfig;
  /** The client's TLS material and token source for an external target (from flags); ignored for the embedded server. */
  credentials?: ClientCredentials | null;
  /** A running embedded server to reuse (sweeps); otherwise one is started when config.target is null. */
  server?: EmbeddedServer;
  signal?: AbortSignal;
  onProgress?: (progress: LiveProgress) => void;
  /** Watching the run (live page, Prometheus): told when the load starts, every second, and at the end. */
  observer?: RunObserver;
  /** The sweep cell and repetition this run is, for observers. */
  cell?: { id: string; repetition: number };
}

const MIB = 1024 * 1024;

/** Applies the requested CPU placement to this process and describes it. */
export function applyPlacement(config: RunConfig): CpuPlacement {
  if (config.serverCpus === null && config.clientCpus === null) {
    return unpinned(process.platform === 'linux' ? 'pinning disabled or fewer than 2 CPUs' : `no taskset on ${process.platform}`);
  }
  if (!canPin()) return unpinned('taskset is not available');
  if (config.clientCpus !== null) {
    try {
      pinProcess(process.pid, config.clientCpus);
    } catch (error: unknown) {
      const why = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : describeError(error);
      throw new ConfigError(`--client-cpus ${config.clientCpus}: taskset could not pin the generator (${why}); this process may use CPUs ${originalAffinity() ?? 'unknown'}`);
    }
  }
  const embedded = config.target === null;
  const pinned = config.clientCpus !== null && (!embedded || config.serverCpus !== null);
  const any = `any of ${originalAffinity() ?? 'all'} (unpinned)`;
  const note = embedded ? `server on CPUs ${config.serverCpus ?? any}, generator on CPUs ${config.clientCpus ?? any}` : `generator on CPUs ${config.clientCpus ?? any}; external server`;
  return { pinned, serverCpus: config.serverCpus, clientCpus: config.clientCpus, note };
}

function overallStop(results: readonly WorkerResult[], aborted: boolean): StopReason {
  if (aborted || results.some((r) => r.stopReason === 'interrupted')) return 'interrupted';
  if (results.some((r) => r.stopReason === 'timeout')) return 'timeout';
  if (results.every((r) => r.stopReason === 'all-streams-failed')) return 'all-streams-failed';
  return results.find((r) => r.stopReason !== 'all-streams-failed')?.stopReason ?? 'duration';
}

/** One measured run against the configured target or an embedded echo server. */
export async function executeRun(options: ExecuteRunOptions): Promise<RunRecord> {
  const { config } = options;
  await initHistograms();
  const placement = applyPlacement(config);
  const ownServer =
    config.target === null && !options.server
      ? await startEmbeddedServer(await embeddedServerOptions(config))
      : undefined;
  const server = options.server ?? ownServer;
  try {
    const target = config.target ?? (server as EmbeddedServer).target;
    const credentials = config.target === null ? await embeddedCredentials(config.security) : (options.credentials ?? null);
    await checkReachable(target, loadClientTls(credentials));
    let cpuStart = process.cpuUsage();
    let serverCpuStart: number | null = null;
    let wallStart = performance.now();
    const startedAt = new Date();
    const outcome = await runLoad(splitRun(config, target, credentials), {
      signal: options.signal,
      onProgress: (progress) => {
        options.onProgress?.(progress);
        options.observer?.second?.(progress);
      },
      onStart: () => {
        options.observer?.runStarted?.({ config, cellId: options.cell?.id ?? null, repetition: options.cell?.repetition ?? null });
        cpuStart = process.cpuUsage();
        serverCpuStart = server?.cpuUs() ?? null;
        wallStart = performance.now();
      },
    });
    const cpu = process.cpuUsage(cpuStart);
    const wallUs = (performance.now() - wallStart) * 1000;
    const serverCpuEnd = server?.cpuUs() ?? null;

    const merged = mergeWorkerResults(outcome.results);
    const c = merged.counters;
    const durationS = Math.max(0, (merged.windowEndMs - merged.windowStartMs) / 1000);
    const generatorCpuUs = cpu.user + cpu.system;
    const clientCpuCount = config.clientCpus !== null ? expandCpuList(config.clientCpus).length : cpus().length;
    const serverCpuUs = serverCpuStart !== null && serverCpuEnd !== null ? serverCpuEnd - serverCpuStart : null;
    const perMessage = (us: number): number | null => (c.receivedTotal > 0 ? round2(us / c.receivedTotal) : null);
    const metrics: RunMetrics = {
      durationS: round3(durationS),
      counters: c,
      msgsPerS: durationS > 0 ? round2(c.receivedInWindow / durationS) : 0,
      mibPerSSent: durationS > 0 ? round3(c.bytesSent / MIB / durationS) : 0,
      mibPerSReceived: durationS > 0 ? round3(c.bytesReceived / MIB / durationS) : 0,
      wire:
        merged.wireBytes === null
          ? null
          : {
              bytesSent: merged.wireBytes.sent,
              bytesReceived: merged.wireBytes.received,
              mibPerSSent: durationS > 0 ? round3(merged.wireBytes.sent / MIB / durationS) : 0,
              mibPerSReceived: durationS > 0 ? round3(merged.wireBytes.received / MIB / durationS) : 0,
            },
      payload: { compressibility: config.compressibility, gzipSavingsPct: measurePayloadSavings(config.size, config.compressibility) },
      streamsOpenedPerS: durationS > 0 ? round2(c.streamsOpened / durationS) : 0,
      latencyUs: summarizeEncoded([merged.histogram]),
      latencyUncorrectedUs: merged.uncorrectedHistogram === null ? null : summarizeEncoded([merged.uncorrectedHistogram]),
      setupLatencyUs: summarizeEncoded([merged.setupHistogram]),
      connectLatencyUs: summarizeEncoded([merged.connectHistogram]),
      errorsTotal: countErrors(c),
      generator: {
        cpuUs: Math.round(generatorCpuUs),
        cpuUsPerMsg: perMessage(generatorCpuUs),
        cpuUtilization: wallUs > 0 ? round3(generatorCpuUs / wallUs / clientCpuCount) : null,
        workerEventLoopUtilization: outcome.results.map((r) => round3(r.eventLoopUtilization)),
      },
      server: serverCpuUs === null ? null : { cpuUs: Math.round(serverCpuUs), cpuUsPerMsg: perMessage(serverCpuUs) },
      resilience: resilienceMetrics(outcome.results),
    };
    const embeddedServer = config.target === null;
    const firstError = outcome.results.find((r) => r.firstError !== null)?.firstError ?? null;
    const record: RunRecord = {
      config,
      placement,
      stop: { reason: overallStop(outcome.results, options.signal?.aborted ?? false), detail: firstError },
      startedAt: startedAt.toISOString(),
      metrics,
      warnings: diagnoseRun({ config, metrics, placement, embeddedServer }),
      histograms: { latencyUs: merged.histogram, latencyUncorrectedUs: merged.uncorrectedHistogram, setupUs: merged.setupHistogram, connectUs: merged.connectHistogram },
      timeSeries: buildTimeSeries(outcome.ticks, config.warmupS),
      timeSeriesStartMs: outcome.startEpochMs,
    };
    options.observer?.runFinished?.(record);
    return record;
  } finally {
    await ownServer?.stop();
  }
}

/** Outages, recovery and breaker transitions of all workers. */
function resilienceMetrics(results: readonly WorkerResult[]): NonNullable<RunMetrics['resilience']> {
  const outages = mergeOutages(results.map((r) => r.outages));
  const recoveries = sumRecoveries(results.map((r) => r.recoveries));
  const c = sumCounters(results.map((r) => r.counters));
  return {
    outages,
    longestOutageS: round3(Math.max(0, ...outages.map((o) => (o.endMs - o.startMs) / 1000))),
    meanRecoveryS: recoveries.count > 0 ? round3(recoveries.totalMs / recoveries.count / 1000) : null,
    reconnects: c.reconnects,
    lost: c.lost,
    breakerTransitions: mergeTransitions(results.map((r) => r.breakerTransitions)),
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
