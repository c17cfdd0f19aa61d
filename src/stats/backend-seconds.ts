/**
 * Per-backend echo counts of one second, bounded: the workers' ticks carry at most
 * MAX_SECOND_BACKENDS entries, and so does their merge. Beyond that many backends the first
 * ones by name keep their own entry and the rest are summed under OTHER_BACKENDS, so the same
 * backends are named every second (stable series for the live page and Prometheus). Pure.
 */
import type { BackendSecond } from '../types.js';

/** Most entries per second (the named backends and, when there are more, OTHER_BACKENDS). */
export const MAX_SECOND_BACKENDS = 64;
/** The entry that sums the backends beyond the bound. */
export const OTHER_BACKENDS = 'other';

/**
 * Echo counts by backend → at most `max` entries, sorted by backend, OTHER_BACKENDS last. An
 * OTHER_BACKENDS count in the input (a worker's own overflow) is added to the overflow.
 */
export function boundBackendCounts(counts: Iterable<readonly [string, number]>, max = MAX_SECOND_BACKENDS): BackendSecond[] {
  const named = new Map<string, number>();
  let other: number | null = null;
  for (const [backend, received] of counts) {
    if (backend === OTHER_BACKENDS) other = (other ?? 0) + received;
    else named.set(backend, (named.get(backend) ?? 0) + received);
  }
  const sorted = [...named.keys()].sort((a, b) => a.localeCompare(b));
  const room = other === null && sorted.length <= max ? sorted.length : Math.max(0, max - 1);
  const entries: BackendSecond[] = sorted.slice(0, room).map((backend) => ({ backend, received: named.get(backend) as number }));
  for (const backend of sorted.slice(room)) other = (other ?? 0) + (named.get(backend) as number);
  if (other !== null) entries.push({ backend: OTHER_BACKENDS, received: other });
  return entries;
}

/** The per-backend counts of several workers' ticks of one second, summed by backend and bounded again. */
export function mergeBackendSeconds(lists: readonly (readonly BackendSecond[] | undefined)[], max = MAX_SECOND_BACKENDS): BackendSecond[] {
  return boundBackendCounts(
    lists.flatMap((list) => (list ?? []).map((b) => [b.backend, b.received] as const)),
    max,
  );
}
