import { cpus } from 'node:os';
import { expandCpuList } from '../config/checks.js';
import { unpinned } from '../config/placement.js';
import { splitRun } from '../plan/split-run.js';
import { shardPart, shardView, splitShardRun } from '../plan/shard-run.js';
import type { ResolvedShard } from '../config/resolve-shard.js';
import { checkShardTarget, stampShard } from './shard-stamp.js';
import { waitUntilNearStart } from './wait-for-start.js';
import { buildTimeSeries, mergeWorkerResults, sumCounters } from '../stats/aggregate.js';
import { buildRunMetrics, round3 } from '../stats/run-metrics.js';
import { mergeOutages, mergeTransitions, sumRecoveries } from '../stats/merge-outages.js';
import { diagnoseRun } from '../stats/diagnose.js';
import { memoryGrowthWarning, summarizeGeneratorMemory } from '../stats/generator-memory.js';
import { queuedStreamsWarning } from '../stats/stream-limit.js';
import { initHistograms } from '../stats/histogram.js';
import { ConfigError, describeError } from '../errors.js';
import { measurePayloadSavings } from '../grpc/payload-savings.js';
import type { ClientCredentials, CpuPlacement, RunConfig, RunMetrics, RunRecord, StopReason, WorkerResult } from '../types.js';
import { canPin, originalAffinity, pinProcess } from './cpu-affinity.js';
import type { RunObserver } from '../observe/observer.js';
import { loadClientTls } from '../security/client-tls.js';
import { embeddedCredentials, embeddedServerOptions } from './embedded-security.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { resolveTargets } from './resolve-targets.js';
import { mergeBackends } from '../stats/aggregate-backends.js';
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
  /** This process's part of a sharded run; startAtMs is when its workers start (--start-at, a sweep slot). */
  shard?: ResolvedShard | null;
}

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
  checkShardTarget(config, options.shard);
  const part = options.shard ? shardPart(config, options.shard) : null;
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
    // Every address of the target list answers (or, with --allow-partial, is dropped with a warning).
    const resolved = await resolveTargets(target, { tls: loadClientTls(credentials), allowPartial: config.allowPartial === true });
    // grpc-js would queue streams over the server's limit without a word; the h2 engine refuses and counts them.
    const queued = config.engine === 'grpc-js' ? queuedStreamsWarning(config, resolved.streamLimit) : null;
    await waitUntilNearStart(options.shard?.startAtMs, options.signal);
    let cpuStart = process.cpuUsage();
    let serverCpuStart: number | null = null;
    let wallStart = performance.now();
    const startedAt = new Date();
    const tasks = part === null ? splitRun(config, target, credentials, resolved.addresses) : splitShardRun(config, part, target, credentials, resolved.addresses);
    const outcome = await runLoad(tasks, {
      signal: options.signal,
      workerMemory: { heapMiB: config.workerHeapMiB ?? null, youngMiB: config.workerYoungMiB ?? null },
      startAtMs: options.shard?.startAtMs ?? null,
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
    const generatorCpuUs = cpu.user + cpu.system;
    const clientCpuCount = config.clientCpus !== null ? expandCpuList(config.clientCpus).length : cpus().length;
    const serverCpuUs = serverCpuStart !== null && serverCpuEnd !== null ? serverCpuEnd - serverCpuStart : null;
    const metrics: RunMetrics = buildRunMetrics({
      counters: merged.counters,
      histograms: { latencyUs: merged.histogram, latencyUncorrectedUs: merged.uncorrectedHistogram, setupUs: merged.setupHistogram, connectUs: merged.connectHistogram },
      wireBytes: merged.wireBytes,
      windowStartMs: merged.windowStartMs,
      windowEndMs: merged.windowEndMs,
      payload: { compressibility: config.compressibility, gzipSavingsPct: measurePayloadSavings(config.size, config.compressibility) },
      generator: {
        cpuUs: generatorCpuUs,
        cpuUtilization: wallUs > 0 ? round3(generatorCpuUs / wallUs / clientCpuCount) : null,
        workerEventLoopUtilization: outcome.results.map((r) => round3(r.eventLoopUtilization)),
      },
      serverCpuUs,
      resilience: resilienceMetrics(outcome.results),
    });
    const backends = mergeBackends(outcome.results.map((r) => r.backends), metrics.durationS);
    metrics.backends = backends.metrics;
    const timeSeries = buildTimeSeries(outcome.ticks, config.warmupS, outcome.memory);
    // The time series goes on through the drain; the memory figures keep to the measured window.
    const windowEndS = config.durationS === null ? Number.POSITIVE_INFINITY : config.warmupS + config.durationS;
    metrics.generator.memory = summarizeGeneratorMemory(timeSeries, windowEndS);
    const memoryWarning = memoryGrowthWarning(timeSeries, windowEndS);
    const embeddedServer = config.target === null;
    const firstError = outcome.results.find((r) => r.firstError !== null)?.firstError ?? null;
    const record: RunRecord = {
      config: { ...config, targets: resolved.addresses },
      placement,
      stop: { reason: overallStop(outcome.results, options.signal?.aborted ?? false), detail: firstError },
      startedAt: startedAt.toISOString(),
      metrics,
      warnings: [...resolved.warnings, ...diagnoseRun({ config: part === null ? config : shardView(config, part), metrics, placement, embeddedServer }), ...[queued, memoryWarning].filter((w): w is string => w !== null)],
      histograms: { latencyUs: merged.histogram, latencyUncorrectedUs: merged.uncorrectedHistogram, setupUs: merged.setupHistogram, connectUs: merged.connectHistogram, backendsUs: backends.histograms },
      timeSeries,
      timeSeriesStartMs: outcome.startEpochMs,
      shard: options.shard && part ? stampShard(options.shard, part, outcome.startEpochMs) : null,
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

