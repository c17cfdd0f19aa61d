import type { BreakerTransition, Outage, Recoveries } from '../types.js';

/**
 * The outages of several workers as one list: periods that overlap are one outage (the union of
 * their time), with their streams, reconnects and lost messages added. Sorted by start.
 */
export function mergeOutages(parts: readonly (readonly Outage[])[]): Outage[] {
  const all = parts.flat().sort((a, b) => a.startMs - b.startMs);
  const merged: Outage[] = [];
  for (const outage of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && outage.startMs <= last.endMs) {
      last.endMs = Math.max(last.endMs, outage.endMs);
      last.ongoing ||= outage.ongoing;
      last.streams += outage.streams;
      last.reconnects += outage.reconnects;
      last.lost += outage.lost;
      if (outage.delayed !== undefined) last.delayed = (last.delayed ?? 0) + outage.delayed;
    } else {
      merged.push({ ...outage });
    }
  }
  return merged;
}

export function sumRecoveries(parts: readonly Recoveries[]): Recoveries {
  return parts.reduce((a, b) => ({ count: a.count + b.count, totalMs: a.totalMs + b.totalMs, maxMs: Math.max(a.maxMs, b.maxMs) }), { count: 0, totalMs: 0, maxMs: 0 });
}

/** Every worker's breaker transitions, in time order, with the worker that made them. */
export function mergeTransitions(parts: readonly (readonly BreakerTransition[])[]): (BreakerTransition & { worker: number })[] {
  return parts.flatMap((list, worker) => list.map((t) => ({ ...t, worker }))).sort((a, b) => a.atMs - b.atMs);
}
