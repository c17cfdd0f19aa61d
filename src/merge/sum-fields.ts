/**
 * Generic sums for merging shards: every numeric field is added and every map of counts
 * (errors by status …) is added name by name, so counters a results file gains later merge
 * without being listed here.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTally = (value: unknown): value is Record<string, number> => isObject(value) && Object.values(value).every((v) => typeof v === 'number');

/**
 * Adds `parts` field by field into a copy of `base`: numbers are summed, maps of numbers are
 * summed by name; other fields (text, booleans, lists) keep the first part's value.
 */
export function sumFields<T extends object>(base: T, parts: readonly T[]): T {
  const total: Json = { ...(base as Json) };
  for (const part of parts) {
    for (const [key, value] of Object.entries(part as Json)) {
      const seen = total[key];
      if (typeof value === 'number') total[key] = (typeof seen === 'number' ? seen : 0) + value;
      else if (isTally(value)) {
        const tally: Record<string, number> = isTally(seen) ? { ...seen } : {};
        for (const [name, n] of Object.entries(value)) tally[name] = (tally[name] ?? 0) + n;
        total[key] = tally;
      } else if (!(key in total)) total[key] = value;
    }
  }
  return total as T;
}
