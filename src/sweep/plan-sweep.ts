import { ConfigError } from '../errors.js';
import { estimateSweep, type SweepEstimate } from '../plan/estimate-sweep.js';
import { planOrder, randomSeed, type PlannedRepetition } from '../plan/sweep-order.js';
import type { ResolvedProfile, SweepCell, SweepRepetition, SweepResultsFile } from '../types.js';

export interface SweepPlan {
  seed: number;
  repeat: number;
  cells: SweepCell[];
  /** Every repetition in execution order. */
  order: PlannedRepetition[];
  /** Repetitions that still have to run (all of them, unless resuming). */
  pending: PlannedRepetition[];
  /** Completed repetitions kept from the resumed file. */
  kept: SweepRepetition[];
  estimate: SweepEstimate;
}

export const repetitionKey = (cellId: string, repetition: number): string => `${cellId}#${repetition}`;

/**
 * The order of a sweep from its seed. When resuming, seed, repeat and cells come from the
 * partial file (which must describe the same cells as the profile), and completed
 * repetitions are kept; errored and missing ones run again, in the original order.
 */
export function planSweep(options: { profile: ResolvedProfile; seed?: number; resume?: SweepResultsFile }): SweepPlan {
  const { profile, resume } = options;
  let seed = options.seed ?? randomSeed();
  let repeat = profile.repeat;
  let cells = profile.cells;
  let kept: SweepRepetition[] = [];
  if (resume) {
    if (options.seed !== undefined && options.seed !== resume.seed) {
      throw new ConfigError(`--seed ${options.seed} differs from the seed of the resumed sweep (${resume.seed}); omit --seed to resume`);
    }
    const profileIds = profile.cells.map((c) => c.id).join(' ');
    const fileIds = resume.cells.map((c) => c.id).join(' ');
    if (profileIds !== fileIds) {
      throw new ConfigError(
        `the resumed file's cells (${resume.cells.length}) are not the cells of profile ${profile.name} (${profile.cells.length}); resume with the profile that started the sweep`,
      );
    }
    seed = resume.seed;
    repeat = resume.repeat;
    cells = resume.cells;
    kept = resume.repetitions.filter((r) => r.status === 'completed' && r.run !== null && r.repetition < repeat);
  }
  const order = planOrder(
    cells.map((c) => c.id),
    repeat,
    seed,
  );
  const done = new Set(kept.map((r) => repetitionKey(r.cellId, r.repetition)));
  const pending = order.filter((step) => !done.has(repetitionKey(step.cellId, step.repetition)));
  const estimate = estimateSweep(pending.map((step) => (cells[step.cellIndex] as SweepCell).config));
  return { seed, repeat, cells, order, pending, kept, estimate };
}
