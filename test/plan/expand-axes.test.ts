import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellIdOf, countCells, expandAxes } from '../../src/plan/expand-axes.js';

test('expandAxes is the cartesian product, first axis slowest', () => {
  const axes = [
    { name: 'compression', values: ['identity', 'gzip'] },
    { name: 'size', values: [16, 1024, 65536] },
    { name: 'window', values: [65535, null] },
  ];
  const combos = expandAxes(axes);
  assert.equal(combos.length, 12);
  assert.equal(countCells(axes), 12);
  assert.deepEqual(combos[0]?.values, { compression: 'identity', size: 16, window: 65535 });
  assert.deepEqual(combos[1]?.values, { compression: 'identity', size: 16, window: null });
  assert.deepEqual(combos[2]?.values, { compression: 'identity', size: 1024, window: 65535 });
  assert.deepEqual(combos[11]?.indexes, { compression: 1, size: 2, window: 1 });
  const ids = combos.map((c) => cellIdOf(c.values, ['compression', 'size', 'window']));
  assert.equal(new Set(ids).size, 12);
  assert.equal(ids[1], 'compression=identity,size=16,window=default');
});

const counts: [number[], number][] = [
  [[1], 1],
  [[3, 1, 1], 3],
  [[2, 3, 2], 12],
  [[3, 8, 5], 120],
  [[2, 2, 2, 2], 16],
];
for (const [lengths, expected] of counts) {
  test(`${lengths.join(' × ')} axes make ${expected} cells`, () => {
    const axes = lengths.map((n, i) => ({ name: `a${i}`, values: Array.from({ length: n }, (_, v) => v) }));
    assert.equal(expandAxes(axes).length, expected);
    assert.equal(countCells(axes), expected);
  });
}

test('no axes, no cells', () => {
  assert.deepEqual(expandAxes([]), []);
  assert.equal(countCells([]), 0);
});
