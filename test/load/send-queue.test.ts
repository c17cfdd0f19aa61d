import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendQueue } from '../../src/load/send-queue.js';

test('echoes are matched first in, first out, across growth and wrap-around', () => {
  const queue = new SendQueue(2);
  const expected: number[] = [];
  let next = 0;
  // Interleave pushes and shifts so the ring wraps before and after it grows.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < (round % 7) + 1; i++) {
      queue.push(next, next + 0.5);
      expected.push(next++);
    }
    for (let i = 0; i < (round % 5) + 1 && queue.length > 0; i++) {
      const want = expected.shift() as number;
      assert.equal(queue.peekIntended(), want);
      assert.equal(queue.peekActual(), want + 0.5);
      queue.shift();
    }
    assert.equal(queue.length, expected.length);
  }
});

test('shifting an empty queue is an error, not a silent wrong match', () => {
  assert.throws(() => new SendQueue().shift(), /SendQueue is empty/);
});
