import { cpus } from 'node:os';
import { describeError } from '../errors.js';
import { executeRun } from '../load/execute-run.js';
import { resolveTargets } from '../load/resolve-targets.js';
import { repetitionSeconds } from '../plan/estimate-sweep.js';
import { resolveProfile } from '../profile/validate-profile.js';
import { describeEnvironment } from '../results/environment.js';
import { runHasErrors } from '../stats/aggregate.js';
import { initHistograms } from '../stats/histogram.js';
import type { RunObserver } from '../observe/observer.js';
import { loadClientTls } from '../security/client-tls.js';
import type { ClientCredentials, Environment, ResolvedProfile, SweepCell, SweepProgress, SweepRepetition, SweepResultsFile } from '../types.js';
import { planSweep } from './plan-sweep.js';
import { ServerPool } from './server-pool.js';
import { buildSweepFile } from './sweep-file.js';
import type { ResolvedShard } from '../config/resolve-shard.js';
import { planSlots, slotSeconds } from '../plan/shard-slots.js';
import { stampSweepShard } from './shard-sweep.js';

export interface ExecuteSweepOptions {
  profile: ResolvedProfile;
  /** External server for every cell; null/absent: embedded echo servers. */
  target?: string | null;
  /** The client's TLS material and token source against an external target (from flags). */
  credentials?: ClientCredentials | null;
  /** Seed of the shuffled order; random when absent (recorded in the file either way). */
  seed?: number;
  /** A partial sweep to continue: its completed repetitions are kept, the others run. */
  resume?: SweepResultsFile;
  /** Aborting stops the running repetition (discarded) and returns the partial file, interrupted: true. */
  signal?: AbortSignal;
  onProgress?: (progress: SweepProgress) => void;
  /** Called with the document after every finished repetition (interrupted: true until the last), e.g. to save it. */
  checkpoint?: (partial: SweepResultsFile) => void;
  /** Watching the sweep (live page, Prometheus): every repetition's runs and the sweep's progress. */
  observer?: RunObserver;
  /** Environment recorded in the file [default: describeEnvironment()]. */
  environment?: Environment;
  /** This process's part of a sharded sweep; with startAtMs every repetition starts at its fixed slot. */
  shard?: ResolvedShard | null;
}

function retarget(profile: ResolvedProfile, target: string | null | undefined, credentials: ClientCredentials | null): ResolvedProfile {
  if (target === undefined || target === null || profile.cells.every((c) => c.config.target === target)) return profile;
  const resolved = resolveProfile(profile.definition, { name: profile.name, source: profile.source }, { cpuCount: cpus().length, platform: process.platform }, {
    target,
    credentials,
    allowPartial: profile.cells.some((c) => c.config.allowPartial === true),
  });
  return { ...resolved, repeat: profile.repeat };
}

/**
 * Runs every repetition of every cell in the seeded, interleaved order. Embedded servers are
 * started once per distinct server-side setting and kept alive for the whole sweep
 * (see ServerPool). A repetition that throws is recorded as errored and the sweep goes on;
 * an interrupted repetition is discarded, so a resume runs it again in full.
 */
export async function executeSweep(options: ExecuteSweepOptions): Promise<SweepResultsFile> {
  const credentials = options.credentials ?? null;
  const profile = retarget(options.profile, options.target, credentials);
  const plan = planSweep({ profile, seed: options.seed, resume: options.resume });
  const { cells, seed, repeat } = plan;
  await initHistograms();
  const environment = options.environment ?? describeEnvironment();
  const createdAt = options.resume?.createdAt ?? new Date().toISOString();
  const repetitions: SweepRepetition[] = [...plan.kept];
  const shard = options.shard ?? null;
  // Slot i of the order starts at --start-at + the lengths of the slots before it (same on every shard).
  const slots = shard === null || shard.startAtMs === null ? null : planSlots(plan.order, cells, shard.startAtMs);
  // With slots the end is fixed: the last pending repetition's slot start + its slot length.
  const slotsEndMs = slots === null ? null : Math.max(...plan.pending.map((s) => (slots[s.order] ?? 0) + slotSeconds((cells[s.cellIndex] as SweepCell).config) * 1000));
  const sweepStartMs = Date.now();
  const build = (interrupted: boolean): SweepResultsFile =>
    buildSweepFile({ profile, environment, createdAt, seed, repeat, interrupted, cells, repetitions, shard: shard === null ? null : stampSweepShard(shard, cells, repetitions, sweepStartMs) });

  // Every external target answers before the first repetition (--allow-partial: at least one address of it).
  const externalTargets = [...new Set(plan.pending.map((s) => (cells[s.cellIndex] as SweepCell).config.target).filter((t): t is string => t !== null))];
  for (const target of externalTargets) {
    const allowPartial = cells.some((c) => c.config.target === target && c.config.allowPartial === true);
    await resolveTargets(target, { tls: loadClientTls(credentials), allowPartial });
  }

  const total = plan.order.length;
  const started = performance.now();
  let estimatedDone = 0;
  let estimatedLeft = plan.pending.reduce((sum, s) => sum + repetitionSeconds((cells[s.cellIndex] as SweepCell).config), 0);
  const progress = (phase: SweepProgress['phase'], step: (typeof plan.pending)[number]): void => {
    if (!options.onProgress && !options.observer?.sweepProgress) return;
    const elapsedS = (performance.now() - started) / 1000;
    // The model's estimate for what is left, scaled by how far off it was for what is done.
    const drift = estimatedDone > 0 && phase === 'repetition-end' ? elapsedS / estimatedDone : 1;
    const latest = phase === 'repetition-end' ? repetitions[repetitions.length - 1] : undefined;
    const report = {
      phase,
      cellIndex: step.cellIndex + 1,
      cellCount: cells.length,
      cellId: step.cellId,
      repetition: step.repetition,
      repeat,
      done: repetitions.length,
      total,
      elapsedS,
      etaS: slotsEndMs === null ? Math.max(0, estimatedLeft * drift) : Math.max(0, (slotsEndMs - Date.now()) / 1000),
    };
    options.onProgress?.(report);
    options.observer?.sweepProgress?.(
      report,
      latest === undefined ? null : { cellId: latest.cellId, msgsPerS: latest.run?.metrics.msgsPerS ?? null, p99Us: latest.run?.metrics.latencyUs.p99 ?? null },
    );
  };

  const pool = new ServerPool();
  let interrupted = false;
  try {
    for (const step of plan.pending) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const cell = cells[step.cellIndex] as SweepCell;
      progress('repetition-start', step);
      let outcome: SweepRepetition;
      try {
        const server = await pool.acquire(cell.config);
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        const repetitionShard = shard === null ? null : { ...shard, startAtMs: slots?.[step.order] ?? null };
        const run = await executeRun({ config: cell.config, credentials, server, signal: options.signal, observer: options.observer, cell: { id: cell.id, repetition: step.repetition }, shard: repetitionShard });
        if (run.stop.reason === 'interrupted' || options.signal?.aborted) {
          // A repetition cut short measured a shorter window than its cell asks for: discard it.
          interrupted = true;
          break;
        }
        outcome = { cellId: cell.id, repetition: step.repetition, order: step.order, status: 'completed', run, error: null };
      } catch (error: unknown) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        await pool.discard(cell.config).catch(() => undefined);
        outcome = { cellId: cell.id, repetition: step.repetition, order: step.order, status: 'errored', run: null, error: describeError(error) };
      }
      repetitions.push(outcome);
      const cost = repetitionSeconds(cell.config);
      estimatedDone += cost;
      estimatedLeft -= cost;
      progress('repetition-end', step);
      const last = step === plan.pending[plan.pending.length - 1];
      if (!last) options.checkpoint?.(build(true));
    }
  } finally {
    await pool.stopAll();
  }
  const complete = !interrupted && plan.order.every((s) => repetitions.some((r) => r.cellId === s.cellId && r.repetition === s.repetition));
  return build(!complete);
}

/** Whether any repetition errored or any completed run saw errors. */
export function sweepHasErrors(file: SweepResultsFile): boolean {
  return file.repetitions.some((r) => r.status === 'errored' || (r.run !== null && runHasErrors(r.run)));
}
