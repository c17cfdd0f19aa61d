/** Where two JSON values first differ, as a path ("run.config.rate"), for refusal messages. */

export interface Difference {
  path: string;
  left: unknown;
  right: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first difference between `left` and `right` (keys in sorted order, depth first), or null when equal. */
export function firstDifference(left: unknown, right: unknown, path: string): Difference | null {
  if (Array.isArray(left) && Array.isArray(right)) {
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const d = firstDifference(left[i], right[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (isObject(left) && isObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    for (const key of keys) {
      const d = firstDifference(left[key], right[key], `${path}.${key}`);
      if (d !== null) return d;
    }
    return null;
  }
  return Object.is(left, right) || (left === undefined && right === null) || (left === null && right === undefined) ? null : { path, left, right };
}

/** A value as it appears in a message: JSON, shortened. */
export function showValue(value: unknown): string {
  const text = value === undefined ? 'absent' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
