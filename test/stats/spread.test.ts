import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantileSorted, relativeIqr, spreadOf } from '../../src/stats/spread.js';

const cases: [number[], { median: number; min: number; max: number; q1: number; q3: number }][] = [
  [[5], { median: 5, min: 5, max: 5, q1: 5, q3: 5 }],
  [[3, 1], { median: 2, min: 1, max: 3, q1: 1.5, q3: 2.5 }],
  [[30, 10, 20], { median: 20, min: 10, max: 30, q1: 15, q3: 25 }],
  [[1, 2, 3, 4], { median: 2.5, min: 1, max: 4, q1: 1.75, q3: 3.25 }],
  [[7, 1, 3, 5, 9], { median: 5, min: 1, max: 9, q1: 3, q3: 7 }],
];
for (const [values, expected] of cases) {
  test(`spread of [${values.join(', ')}]`, () => assert.deepEqual(spreadOf(values), expected));
}

test('quantile edges and errors', () => {
  assert.equal(quantileSorted([1, 2, 3], 0), 1);
  assert.equal(quantileSorted([1, 2, 3], 1), 3);
  assert.throws(() => quantileSorted([], 0.5), RangeError);
  assert.throws(() => quantileSorted([1], 2), RangeError);
  assert.throws(() => spreadOf([]), RangeError);
});

test('quantile between equal neighbours is that value, infinite ones included', () => {
  assert.equal(quantileSorted([2, 2], 0.3), 2);
  assert.equal(quantileSorted([1, Infinity, Infinity], 0.75), Infinity);
  assert.equal(quantileSorted([Infinity, Infinity], 0.5), Infinity);
  assert.equal(quantileSorted([-Infinity, -Infinity], 0.5), -Infinity);
  assert.equal(quantileSorted([1, Infinity], 0.5), Infinity);
});

test('relative IQR', () => {
  assert.equal(relativeIqr(spreadOf([10, 20, 30])), 0.5);
  assert.equal(relativeIqr(spreadOf([0, 0])), 0);
});
