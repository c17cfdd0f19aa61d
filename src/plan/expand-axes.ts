import type { AxisValue, SweepAxis } from '../types.js';

/** One combination of axis values, with the index of each value in its axis. */
export interface AxisCombination {
  values: Record<string, AxisValue>;
  indexes: Record<string, number>;
}

/** Every combination of the axis values (cartesian product), the first axis varying slowest. */
export function expandAxes(axes: readonly SweepAxis[]): AxisCombination[] {
  let combinations: AxisCombination[] = [{ values: {}, indexes: {} }];
  for (const axis of axes) {
    const next: AxisCombination[] = [];
    for (const partial of combinations) {
      axis.values.forEach((value, index) => {
        next.push({ values: { ...partial.values, [axis.name]: value }, indexes: { ...partial.indexes, [axis.name]: index } });
      });
    }
    combinations = next;
  }
  return axes.length === 0 ? [] : combinations;
}

/** Number of cells the axes make (the product of their lengths). */
export function countCells(axes: readonly SweepAxis[]): number {
  return axes.length === 0 ? 0 : axes.reduce((product, axis) => product * axis.values.length, 1);
}

/** Stable cell id from axis values in axis order: "compression=gzip,size=1024,window=65535". */
export function cellIdOf(values: Record<string, AxisValue>, axisOrder: readonly string[]): string {
  return axisOrder.map((name) => `${name}=${values[name] === null ? 'default' : String(values[name])}`).join(',');
}
