import { seededRandom } from '../stats/seeded-random.js';

/** One repetition of one cell, at its place in the execution order. */
export interface PlannedRepetition {
  cellId: string;
  /** 0-based index of the cell in the profile's cell list. */
  cellIndex: number;
  /** 0-based repetition index within the cell. */
  repetition: number;
  /** 0-based position in the execution order. */
  order: number;
}

/** Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A random 32-bit seed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4_294_967_296) >>> 0;
}

/**
 * The execution order of a sweep: `repeat` rounds, each running every cell once in a fresh
 * seeded shuffle. Repetition r of every cell runs in round r, so slow drift of the machine
 * (heat, background load) spreads evenly over the cells instead of biasing the ones that
 * happen to run last; the same seed always gives the same order.
 */
export function planOrder(cellIds: readonly string[], repeat: number, seed: number): PlannedRepetition[] {
  const random = seededRandom(seed);
  const indexes = cellIds.map((_, i) => i);
  const order: PlannedRepetition[] = [];
  for (let repetition = 0; repetition < repeat; repetition++) {
    for (const cellIndex of shuffled(indexes, random)) {
      order.push({ cellId: cellIds[cellIndex] as string, cellIndex, repetition, order: order.length });
    }
  }
  return order;
}
