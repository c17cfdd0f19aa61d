/**
 * The decisions of the echo server's fault injection, from a seed alone: which stream is
 * rejected, which note is dropped, when the server stalls. Pure: no clock and no I/O; the
 * caller asks in arrival order (stream k = 0, 1, 2, … and note n = 0, 1, 2, … per server), so
 * the same seed and the same order give the same decisions on every machine.
 */
import { seededRandom } from '../stats/seeded-random.js';

/** A stall every `everyMs` from server start, lasting `durationMs` (< everyMs). */
export interface StallSchedule {
  everyMs: number;
  durationMs: number;
}

export interface FaultPlanOptions {
  seed: number;
  /** Fraction of streams rejected, 0..1. */
  failRate: number;
  /** Fraction of notes never echoed, 0..1. */
  dropRate: number;
  stall: StallSchedule | null;
}

/** The k-th stall (k ≥ 1): [startMs, endMs) in ms since server start. */
export interface StallWindow {
  index: number;
  startMs: number;
  endMs: number;
}

export interface FaultPlan {
  /** Whether the next stream to arrive is rejected. */
  rejectNextStream(): boolean;
  /** Whether the next note to arrive is dropped. */
  dropNextNote(): boolean;
  /** The k-th stall (k ≥ 1); null without stalls. */
  stallWindow(index: number): StallWindow | null;
  /** The stall covering `elapsedMs`, or null. */
  stallAt(elapsedMs: number): StallWindow | null;
  /** The first stall that starts at or after `elapsedMs`; null without stalls. */
  nextStall(elapsedMs: number): StallWindow | null;
}

/** Independent sequences per decision kind: how many notes arrived never moves which stream is rejected. */
const STREAM_SEQUENCE = 1;
const NOTE_SEQUENCE = 2;

/** A well-mixed 32-bit seed for one sequence of one seed (murmur3's finalizer). */
export function deriveSeed(seed: number, sequence: number): number {
  let h = (seed ^ Math.imul(sequence, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A Bernoulli(rate) sequence: rate 0 is never, rate 1 always (random() < 1). */
function bernoulli(seed: number, rate: number): () => boolean {
  if (rate <= 0) return () => false;
  const random = seededRandom(seed);
  return () => random() < rate;
}

export function createFaultPlan(options: FaultPlanOptions): FaultPlan {
  const { stall } = options;
  const stallWindow = (index: number): StallWindow | null => {
    if (stall === null || index < 1) return null;
    const startMs = index * stall.everyMs;
    return { index, startMs, endMs: startMs + stall.durationMs };
  };
  return {
    rejectNextStream: bernoulli(deriveSeed(options.seed, STREAM_SEQUENCE), options.failRate),
    dropNextNote: bernoulli(deriveSeed(options.seed, NOTE_SEQUENCE), options.dropRate),
    stallWindow,
    stallAt: (elapsedMs) => {
      if (stall === null) return null;
      const window = stallWindow(Math.floor(elapsedMs / stall.everyMs));
      return window !== null && elapsedMs < window.endMs ? window : null;
    },
    nextStall: (elapsedMs) => (stall === null ? null : stallWindow(Math.max(1, Math.ceil(elapsedMs / stall.everyMs)))),
  };
}
