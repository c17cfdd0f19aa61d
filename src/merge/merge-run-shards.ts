/**
 * Shard runs of one run merged into one RunRecord: histograms added exactly, counters and errors
 * summed, rates over the union of the shards' measured windows, time series aligned by wall-clock
 * second. The figures are derived with the same function as a single process's run.
 */
import { sumCounters, sumWireBytes } from '../stats/aggregate.js';
import { mergeEncodedToEncoded } from '../stats/histogram.js';
import { mergeOutages } from '../stats/merge-outages.js';
import { buildRunMetrics, round3 } from '../stats/run-metrics.js';
import type { Counters, GeneratorMemory, MergedShard, MergeInfo, RunMetrics, RunRecord, StopReason } from '../types.js';
import { mergeBackends, type BackendFigures } from './merge-backends.js';
import { mergeTimeSeries } from './merge-time-series.js';
import { shardLabel, type ShardStamp } from './shard-stamp.js';

/** Start skew above which clocks are suspected not to be synchronised. */
export const START_SKEW_WARN_MS = 50;

export interface ShardRun {
  stamp: ShardStamp;
  run: RunRecord;
  /** Where it came from (a path), for messages and the per-shard list. */
  source: string;
}

/** The shard's second 0 (epoch ms): the time series start, else the stamp's actual start. */
function startOf(shard: ShardRun): number {
  return shard.run.timeSeriesStartMs ?? shard.stamp.actualStartMs ?? Date.parse(shard.run.startedAt);
}

/**
 * A shard's measured window, epoch ms: it opens `warmupS` after the shard's start and lasts its
 * measured duration (as the workers count it).
 */
export function windowOf(shard: ShardRun): { startMs: number; endMs: number } {
  const startMs = startOf(shard) + shard.run.config.warmupS * 1000;
  return { startMs, endMs: startMs + shard.run.metrics.durationS * 1000 };
}

function mergedStop(shards: readonly ShardRun[]): RunRecord['stop'] {
  const reasons = shards.map((s) => s.run.stop.reason);
  const pick = (reason: StopReason): RunRecord['stop'] | undefined => shards.find((s) => s.run.stop.reason === reason)?.run.stop;
  const stop =
    pick('interrupted') ?? pick('timeout') ?? (reasons.every((r) => r === 'all-streams-failed') ? pick('all-streams-failed') : shards.find((s) => s.run.stop.reason !== 'all-streams-failed')?.run.stop);
  const detail = shards.find((s) => s.run.stop.detail !== null);
  return { reason: stop?.reason ?? 'duration', detail: detail ? `${shardLabel(detail.stamp)}: ${detail.run.stop.detail}` : null };
}

function largestMemory(shards: readonly ShardRun[]): GeneratorMemory | undefined {
  const summaries = shards.map((s) => s.run.metrics.generator.memory).filter((m): m is GeneratorMemory => m !== undefined && m !== null);
  return summaries.reduce<GeneratorMemory | undefined>((top, m) => (top === undefined || m.peakRssMiB > top.peakRssMiB ? m : top), undefined);
}

/** Histograms of one kind merged; shards without it (older files) are left out. */
function mergeHistogram(encoded: readonly (string | null | undefined)[]): string {
  return mergeEncodedToEncoded(encoded.filter((h): h is string => typeof h === 'string'));
}

function mergedResilience(shards: readonly ShardRun[], counters: Counters): RunMetrics['resilience'] {
  const parts = shards.map((s) => s.run.metrics.resilience).filter((r): r is NonNullable<RunMetrics['resilience']> => r !== undefined);
  if (parts.length === 0) return undefined;
  const outages = mergeOutages(parts.map((r) => r.outages));
  // Recovery counts are not in the files: the shards' means are weighted by their outages.
  const weighted = parts.filter((r) => r.meanRecoveryS !== null);
  const weight = weighted.reduce((n, r) => n + Math.max(1, r.outages.length), 0);
  return {
    outages,
    longestOutageS: round3(Math.max(0, ...outages.map((o) => (o.endMs - o.startMs) / 1000))),
    meanRecoveryS: weight > 0 ? round3(weighted.reduce((n, r) => n + (r.meanRecoveryS as number) * Math.max(1, r.outages.length), 0) / weight) : null,
    reconnects: counters.reconnects,
    lost: counters.lost,
    breakerTransitions: parts.flatMap((r) => r.breakerTransitions).sort((a, b) => a.atMs - b.atMs),
  };
}

function shardFigures(shard: ShardRun): MergedShard {
  const { stamp, run } = shard;
  const window = windowOf(shard);
  return {
    index: stamp.index,
    count: stamp.count,
    runId: stamp.runId,
    host: stamp.host,
    plannedStartMs: stamp.plannedStartMs,
    actualStartMs: stamp.actualStartMs ?? startOf(shard),
    clockSource: stamp.clockSource,
    streams: stamp.streams ?? { first: 0, count: run.config.streams },
    source: shard.source,
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    stopReason: run.stop.reason,
    sent: run.metrics.counters.sent,
    received: run.metrics.counters.received,
    receivedInWindow: run.metrics.counters.receivedInWindow,
    msgsPerS: run.metrics.msgsPerS,
    errorsTotal: run.metrics.errorsTotal,
    latencyP99Us: run.metrics.latencyUs.p99,
    generatorCpuUs: run.metrics.generator.cpuUs,
    generatorCpuUsPerMsg: run.metrics.generator.cpuUsPerMsg,
    generatorCpuUtilization: run.metrics.generator.cpuUtilization,
    serverCpuUs: run.metrics.server?.cpuUs ?? null,
  };
}

/** How a shard's own warnings are prefixed in the merged run: "shard 2/3 (host-b): ". */
export function shardWarningPrefix(stamp: ShardStamp): string {
  return `${shardLabel(stamp)} (${stamp.host}): `;
}

/** "partial: shard 3 of 3 missing" / "partial: shards 2, 3 of 4 missing". */
export function partialLabel(missing: readonly number[], count: number): string {
  return `partial: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count} missing`;
}

/**
 * Merges the runs of the given shards (at least one, of one run id, already checked) into one
 * record. `missing` lists the shard indexes not given. Histograms are WebAssembly: await
 * initHistograms() first.
 */
export function mergeRunShards(given: readonly ShardRun[], missing: readonly number[]): RunRecord {
  const shards = [...given].sort((a, b) => a.stamp.index - b.stamp.index);
  const first = shards[0];
  if (first === undefined) throw new Error('mergeRunShards needs at least one shard');
  const count = first.stamp.count;
  const counters = sumCounters(shards.map((s) => s.run.metrics.counters));
  const windows = shards.map(windowOf);
  const windowStartMs = Math.min(...windows.map((w) => w.startMs));
  const windowEndMs = Math.max(...windows.map((w) => w.endMs));
  const uncorrected = shards.map((s) => s.run.histograms.latencyUncorrectedUs);
  const histograms: RunRecord['histograms'] = {
    latencyUs: mergeHistogram(shards.map((s) => s.run.histograms.latencyUs)),
    latencyUncorrectedUs: uncorrected.every((h) => h === null || h === undefined) ? null : mergeHistogram(uncorrected),
    setupUs: mergeHistogram(shards.map((s) => s.run.histograms.setupUs)),
    connectUs: mergeHistogram(shards.map((s) => s.run.histograms.connectUs)),
  };
  const serverCpu = shards.map((s) => s.run.metrics.server?.cpuUs).filter((us): us is number => us !== undefined);
  const utilizations = shards.map((s) => s.run.metrics.generator.cpuUtilization).filter((u): u is number => u !== null);
  const metrics = buildRunMetrics({
    counters,
    histograms,
    wireBytes: sumWireBytes(shards.map((s) => (s.run.metrics.wire ? { sent: s.run.metrics.wire.bytesSent, received: s.run.metrics.wire.bytesReceived } : null))),
    windowStartMs,
    windowEndMs,
    payload: first.run.metrics.payload,
    generator: {
      cpuUs: shards.reduce((n, s) => n + s.run.metrics.generator.cpuUs, 0),
      // Each shard has its own CPUs: the busiest shard tells whether a generator was the bottleneck.
      cpuUtilization: utilizations.length > 0 ? Math.max(...utilizations) : null,
      workerEventLoopUtilization: shards.flatMap((s) => s.run.metrics.generator.workerEventLoopUtilization),
    },
    serverCpuUs: serverCpu.length > 0 ? serverCpu.reduce((a, b) => a + b, 0) : null,
    resilience: mergedResilience(shards, counters),
  });
  // Memory is per generator process: the shard whose process peaked highest (RSS of several hosts does not add up).
  const memory = largestMemory(shards);
  if (memory !== undefined) metrics.generator.memory = memory;
  const backends = mergeBackends(
    shards.map((s) => ({
      backends: (s.run.metrics as { backends?: BackendFigures[] }).backends,
      histograms: (s.run.histograms as { backendsUs?: Record<string, string> }).backendsUs,
      durationS: s.run.metrics.durationS,
    })),
    metrics.durationS,
  );
  if (backends !== null) {
    Object.assign(metrics, { backends: backends.backends });
    if (backends.histograms !== undefined) Object.assign(histograms, { backendsUs: backends.histograms });
  }
  const series = mergeTimeSeries(shards.map((s) => ({ startMs: startOf(s), points: s.run.timeSeries })));
  const starts = shards.map((s) => s.stamp.actualStartMs ?? startOf(s));
  const maxStartSkewMs = Math.round(Math.max(...starts) - Math.min(...starts));
  const merged: MergeInfo = { runId: first.stamp.runId, count, shards: shards.map(shardFigures), missing: [...missing], partial: missing.length > 0, maxStartSkewMs };
  const warnings: string[] = [];
  if (missing.length > 0) warnings.push(`${partialLabel(missing, count)}: the figures cover only the load of the shards given`);
  if (maxStartSkewMs > START_SKEW_WARN_MS) {
    warnings.push(`shards started up to ${maxStartSkewMs} ms apart (more than ${START_SKEW_WARN_MS} ms): are the hosts' clocks NTP-synchronised? Their windows overlap less, and msgs/s is counted over the union of the windows`);
  }
  const late = shards.filter((s) => s.stamp.lateByMs > START_SKEW_WARN_MS);
  if (late.length > 0) warnings.push(`${late.map((s) => `${shardLabel(s.stamp)} started ${Math.round(s.stamp.lateByMs)} ms`).join(', ')} after the planned start`);
  for (const s of shards) for (const w of s.run.warnings) warnings.push(`${shardWarningPrefix(s.stamp)}${w}`);
  const pinned = shards.every((s) => s.run.placement.pinned);
  const record: RunRecord = {
    config: first.run.config,
    placement: {
      pinned,
      serverCpus: first.run.placement.serverCpus,
      clientCpus: first.run.placement.clientCpus,
      note: `${shards.length} shards: ${shards.map((s) => `${shardLabel(s.stamp)} on ${s.stamp.host}: ${s.run.placement.note}`).join('; ')}`,
    },
    stop: mergedStop(shards),
    startedAt: new Date(Math.min(...shards.map((s) => Date.parse(s.run.startedAt)))).toISOString(),
    metrics,
    warnings,
    histograms,
    timeSeries: series.points,
    timeSeriesStartMs: series.startMs,
    merged,
    shard: null,
  };
  return record;
}
