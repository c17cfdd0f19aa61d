/**
 * The live page's state, pure: each observer event updates it and returns the one message to
 * broadcast. No I/O here; live-page.ts sends what this returns.
 */
import type { LiveProgress, RunStart } from '../observer.js';
import type { RunConfig, RunRecord, SweepProgress } from '../../types.js';
import { addTally } from '../../stats/aggregate.js';
import {
  MAX_LIVE_SECONDS,
  type LiveEvent,
  type LiveKind,
  type LiveOutage,
  type LiveRunConfig,
  type LiveRunResult,
  type LiveSecond,
  type LiveSnapshot,
  type LiveSweepCell,
  type LiveTotals,
} from './live-messages.js';

export function emptyTotals(): LiveTotals {
  return { seconds: 0, received: 0, errors: 0, errorsByCategory: {}, reconnects: 0 };
}

/** One second as the page shows it: the figures of LiveProgress, without the histogram. */
export function toLiveSecond(p: LiveProgress): LiveSecond {
  return {
    second: p.second,
    msgsPerS: p.received,
    errors: p.errors,
    errorsByCategory: { ...p.errorsByCategory },
    latencyUs: { p50: p.latencyUs.p50, p99: p.latencyUs.p99, p999: p.latencyUs.p999, max: p.latencyUs.max },
    reconnects: p.reconnects,
    openStreams: p.openStreams,
    breakersOpen: p.breakersOpen,
    generatorCpu: p.generatorCpu,
    workerEventLoopUtilization: [...p.workerEventLoopUtilization],
    sendLagMs: p.sendLagMs === null ? null : { ...p.sendLagMs },
    backends: p.backends.map((b) => ({ backend: b.backend, msgsPerS: b.msgsPerS })),
  };
}

export function toLiveRunConfig(c: RunConfig): LiveRunConfig {
  return {
    target: c.target,
    lb: c.lb ?? 'pick_first',
    engine: c.engine,
    security: c.security,
    workers: c.workers,
    connections: c.connections,
    streams: c.streams,
    inFlight: c.inFlight,
    rate: c.rate,
    size: c.size,
    compression: c.compression,
    window: c.window,
    messagesPerStream: c.messagesPerStream,
    warmupS: c.warmupS,
    durationS: c.durationS,
    messages: c.messages,
  };
}

/** The figures of a finished run: throughput, latency, errors, send lag (open loop), outages. */
export function toLiveRunResult(record: RunRecord): LiveRunResult {
  const m = record.metrics;
  const c = m.counters;
  const paced = c.sent - c.heldBackSends;
  const t0 = record.timeSeriesStartMs ?? null;
  const outages: LiveOutage[] = (m.resilience?.outages ?? []).map((o) => ({
    fromS: t0 === null ? null : (o.startMs - t0) / 1000,
    toS: t0 === null ? null : (o.endMs - t0) / 1000,
    durationS: Math.max(0, o.endMs - o.startMs) / 1000,
    ongoing: o.ongoing,
    streams: o.streams,
    reconnects: o.reconnects,
    lost: o.lost,
    delayed: o.delayed ?? null,
  }));
  return {
    stopReason: record.stop.reason,
    stopDetail: record.stop.detail,
    durationS: m.durationS,
    msgsPerS: m.msgsPerS,
    latencyUs: { p50: m.latencyUs.p50, p99: m.latencyUs.p99, p999: m.latencyUs.p999, max: m.latencyUs.max },
    sent: c.sent,
    received: c.received,
    errorsTotal: m.errorsTotal,
    errorsByCategory: { ...c.errorsByCategory },
    sendLag:
      record.config.rate === null
        ? null
        : { meanMs: paced > 0 ? c.sendLagMsTotal / paced : null, lateSends: c.lateSends, heldBackSends: c.heldBackSends, unsent: c.unsent },
    resilience: m.resilience
      ? {
          longestOutageS: m.resilience.longestOutageS,
          meanRecoveryS: m.resilience.meanRecoveryS,
          reconnects: m.resilience.reconnects,
          lost: m.resilience.lost,
          breakerTransitions: m.resilience.breakerTransitions.length,
        }
      : null,
    outages,
    warnings: [...record.warnings],
  };
}

/** "compression=gzip,size=1024,window=default" → { compression: 'gzip', size: '1024', window: null }. */
export function parseCellId(cellId: string): Record<string, string | null> {
  const axes: Record<string, string | null> = {};
  for (const part of cellId.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const value = part.slice(at + 1);
    axes[part.slice(0, at)] = value === 'default' ? null : value;
  }
  return axes;
}

const TABLE_AXES = new Set(['size', 'window', 'compression']);

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Where a cell goes in the size × window tables: from its run config when known, else its id. */
export function placeCell(cellId: string, config: Pick<RunConfig, 'size' | 'window' | 'compression'> | undefined): Omit<LiveSweepCell, 'reps'> {
  const axes = parseCellId(cellId);
  const compression = config?.compression ?? axes.compression ?? null;
  const others = Object.entries(axes)
    .filter(([name]) => !TABLE_AXES.has(name))
    .map(([name, value]) => `${name}=${value ?? 'default'}`);
  return {
    cellId,
    group: [`compression=${compression ?? '?'}`, ...others].join(','),
    size: config ? config.size : numberOrNull(axes.size),
    window: config ? config.window : numberOrNull(axes.window),
    compression,
  };
}

export class LiveState {
  private phase: LiveSnapshot['phase'] = 'waiting';
  private run: LiveSnapshot['run'] = null;
  private seconds: LiveSecond[] = [];
  private totals: LiveTotals = emptyTotals();
  private result: LiveRunResult | null = null;
  private progress: SweepProgress | null = null;
  private readonly cells = new Map<string, LiveSweepCell>();
  private readonly cellConfigs = new Map<string, Pick<RunConfig, 'size' | 'window' | 'compression'>>();
  private resultsPath: string | null = null;

  constructor(
    readonly kind: LiveKind,
    private readonly now: () => number = Date.now,
  ) {}

  snapshot(): LiveSnapshot {
    return {
      kind: this.kind,
      phase: this.phase,
      run: this.run,
      seconds: this.seconds,
      totals: this.totals,
      result: this.result,
      sweep: this.kind === 'sweep' ? { progress: this.progress, cells: [...this.cells.values()] } : null,
      resultsPath: this.resultsPath,
    };
  }

  /** A new run: the charts start again. For a sweep, also places the cell with its real config. */
  runStarted(start: RunStart): LiveEvent[] {
    this.phase = 'running';
    this.run = { cellId: start.cellId, repetition: start.repetition, startedAtMs: this.now(), config: toLiveRunConfig(start.config) };
    this.seconds = [];
    this.totals = emptyTotals();
    const events: LiveEvent[] = [{ type: 'run-started', data: this.run }];
    if (start.cellId !== null) {
      this.cellConfigs.set(start.cellId, { size: start.config.size, window: start.config.window, compression: start.config.compression });
      if (this.kind === 'sweep' && this.progress) {
        const cell = this.upsertCell(start.cellId);
        events.push({ type: 'sweep', data: { progress: this.progress, cell } });
      }
    }
    return events;
  }

  second(progress: LiveProgress): LiveEvent {
    const s = toLiveSecond(progress);
    this.phase = 'running';
    // Per-backend figures are shown for the newest second only: older seconds drop them.
    const previous = this.seconds.length - 1;
    if (previous >= 0 && this.seconds[previous]?.backends !== undefined) {
      const older: LiveSecond = { ...(this.seconds[previous] as LiveSecond) };
      delete older.backends;
      this.seconds[previous] = older;
    }
    this.seconds.push(s);
    if (this.seconds.length > MAX_LIVE_SECONDS) this.seconds.splice(0, this.seconds.length - MAX_LIVE_SECONDS);
    const t = this.totals;
    const errorsByCategory = { ...t.errorsByCategory };
    addTally(errorsByCategory, s.errorsByCategory);
    this.totals = {
      seconds: t.seconds + 1,
      received: t.received + s.msgsPerS,
      errors: t.errors + s.errors,
      errorsByCategory,
      reconnects: t.reconnects + s.reconnects,
    };
    return { type: 'second', data: { ...s, totals: this.totals } };
  }

  runFinished(record: RunRecord | null): LiveEvent {
    this.phase = record === null ? 'failed' : 'measured';
    this.result = record === null ? null : toLiveRunResult(record);
    return { type: 'run-finished', data: { result: this.result } };
  }

  sweepProgress(progress: SweepProgress, latest: { cellId: string; msgsPerS: number | null; p99Us: number | null } | null): LiveEvent {
    this.progress = progress;
    const cell = this.upsertCell(progress.cellId);
    if (latest !== null) {
      const done = latest.cellId === progress.cellId ? cell : this.upsertCell(latest.cellId);
      const repetition = latest.cellId === progress.cellId ? progress.repetition : done.reps.length;
      if (!done.reps.some((r) => r.repetition === repetition)) done.reps.push({ repetition, msgsPerS: latest.msgsPerS, p99Us: latest.p99Us });
      return { type: 'sweep', data: { progress, cell: done } };
    }
    return { type: 'sweep', data: { progress, cell } };
  }

  finished(resultsPath: string | null): LiveEvent {
    this.phase = 'finished';
    this.resultsPath = resultsPath;
    return { type: 'finished', data: { resultsPath } };
  }

  private upsertCell(cellId: string): LiveSweepCell {
    const placed = placeCell(cellId, this.cellConfigs.get(cellId));
    const existing = this.cells.get(cellId);
    if (existing) return Object.assign(existing, placed);
    const cell: LiveSweepCell = { ...placed, reps: [] };
    this.cells.set(cellId, cell);
    return cell;
  }
}
