import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planOrder, shuffled } from '../../src/plan/sweep-order.js';
import { seededRandom } from '../../src/stats/seeded-random.js';

const cells = Array.from({ length: 12 }, (_, i) => `cell${i}`);

test('the same seed gives the same order; another seed another one', () => {
  const a = planOrder(cells, 3, 42);
  const b = planOrder(cells, 3, 42);
  const c = planOrder(cells, 3, 43);
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((s) => s.cellId),
    c.map((s) => s.cellId),
  );
});

test('every repetition of every cell runs once, round by round, shuffled within rounds', () => {
  const order = planOrder(cells, 3, 7);
  assert.equal(order.length, 36);
  assert.deepEqual(
    order.map((s) => s.order),
    order.map((_, i) => i),
  );
  const keys = new Set(order.map((s) => `${s.cellId}#${s.repetition}`));
  assert.equal(keys.size, 36);
  for (let round = 0; round < 3; round++) {
    const slice = order.slice(round * 12, round * 12 + 12);
    assert.ok(slice.every((s) => s.repetition === round), `round ${round} holds only repetition ${round}`);
    assert.deepEqual(slice.map((s) => s.cellId).sort(), [...cells].sort());
    slice.forEach((s) => assert.equal(cells[s.cellIndex], s.cellId));
  }
  const rounds = [0, 1, 2].map((r) => order.slice(r * 12, r * 12 + 12).map((s) => s.cellIndex).join(','));
  assert.notEqual(rounds[0], cells.map((_, i) => i).join(','), 'round 1 is shuffled, not in cell order');
  assert.ok(new Set(rounds).size > 1, 'rounds are shuffled independently');
});

test('seededRandom is uniform enough and in [0, 1)', () => {
  const random = seededRandom(1);
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const x = random();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]! += 1;
  }
  assert.ok(buckets.every((n) => n > 850 && n < 1150), buckets.join(' '));
});

test('shuffled permutes a copy', () => {
  const items = [1, 2, 3, 4, 5, 6];
  const out = shuffled(items, seededRandom(3));
  assert.deepEqual(items, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...out].sort(), items);
});
