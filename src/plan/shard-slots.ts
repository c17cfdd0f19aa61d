/**
 * Time slots of a sharded sweep: every repetition starts at a fixed wall-clock time computed
 * from the plan, so all shards (same profile, same seed, same order) run the same repetition of
 * the same cell at the same time. Slot i starts at --start-at plus the lengths of slots 0..i−1;
 * a slot is the repetition's warm-up + duration + a margin for what happens around the load.
 * Pure.
 */
import { ConfigError } from '../errors.js';
import type { RunConfig, SweepCell } from '../types.js';
import { SERVER_START_S } from './estimate-sweep.js';
import type { PlannedRepetition } from './sweep-order.js';

/** Before the load: worker threads, connections and the reachability check. */
export const SLOT_SETUP_S = 2;
/** After the drain: half-closing the streams and waiting for the server to end them, aggregation. */
export const SLOT_CLOSE_S = 2;

/** The length of one repetition's slot, seconds: warm-up + duration + set-up + drain timeout + close (+ an embedded server start). */
export function slotSeconds(config: RunConfig): number {
  if (config.durationS === null) throw new ConfigError('a sweep with --messages has no fixed length: it cannot be given time slots');
  const server = config.target === null ? SERVER_START_S : 0;
  return config.warmupS + config.durationS + SLOT_SETUP_S + server + config.drainTimeoutS + SLOT_CLOSE_S;
}

/** Planned start (epoch ms) of every repetition of the order, in order. */
export function planSlots(order: readonly PlannedRepetition[], cells: readonly SweepCell[], startAtMs: number): number[] {
  const starts: number[] = [];
  let at = startAtMs;
  for (const step of order) {
    starts.push(Math.round(at));
    at += slotSeconds((cells[step.cellIndex] as SweepCell).config) * 1000;
  }
  return starts;
}

/** Every cell must stop on a duration for slots to exist: ConfigError naming the first that does not. */
export function checkSlottable(cells: readonly SweepCell[]): void {
  const byMessages = cells.find((c) => c.config.durationS === null);
  if (byMessages) {
    throw new ConfigError(
      `sweep --start-at gives every repetition a fixed time slot (warm-up + duration + margin), but cell ${byMessages.id} stops after --messages ${byMessages.config.messages}, which has no fixed length: give the profile a duration instead`,
    );
  }
}

/** A seed every shard derives alike from the run id (FNV-1a), when --seed is not given. */
export function seedOfRunId(runId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
