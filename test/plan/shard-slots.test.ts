import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { ConfigError } from '../../src/errors.js';
import { checkSlottable, planSlots, seedOfRunId, SLOT_CLOSE_S, SLOT_SETUP_S, slotSeconds } from '../../src/plan/shard-slots.js';
import { planOrder } from '../../src/plan/sweep-order.js';
import type { SweepCell } from '../../src/types.js';

const machine = { cpuCount: 2, platform: 'linux' };
const cell = (id: string, duration: number, warmup: number): SweepCell => ({
  id,
  axes: {},
  config: resolveRunConfig({ target: '127.0.0.1:1', duration, warmup, drainTimeout: 0.5 }, machine),
});

test('a slot is warm-up + duration + set-up + drain timeout + close', () => {
  assert.equal(slotSeconds(cell('a', 2, 1).config), 1 + 2 + SLOT_SETUP_S + 0.5 + SLOT_CLOSE_S);
});

test('slot i starts at start-at + the slots before it, the same for the same seed', () => {
  const cells = [cell('a', 1, 0), cell('b', 3, 1)];
  const order = planOrder(['a', 'b'], 2, 42);
  const start = 1_800_000_000_000;
  const slots = planSlots(order, cells, start);
  assert.equal(slots.length, 4);
  assert.equal(slots[0], start);
  let at = start;
  order.forEach((step, i) => {
    assert.equal(slots[i], Math.round(at));
    at += slotSeconds((cells[step.cellIndex] as SweepCell).config) * 1000;
  });
  assert.deepEqual(planSlots(planOrder(['a', 'b'], 2, 42), cells, start), slots);
});

test('cells stopping on --messages have no slot', () => {
  const byMessages: SweepCell = { id: 'm', axes: {}, config: resolveRunConfig({ target: '127.0.0.1:1', messages: 10 }, machine) };
  assert.throws(
    () => checkSlottable([cell('a', 1, 0), byMessages]),
    (e: unknown) => e instanceof ConfigError && /cell m stops after --messages 10, which has no fixed length: give the profile a duration instead/.test(e.message),
  );
  assert.throws(() => slotSeconds(byMessages.config), ConfigError);
});

test('the seed from a run id is stable and differs between ids', () => {
  assert.equal(seedOfRunId('nightly-42'), seedOfRunId('nightly-42'));
  assert.notEqual(seedOfRunId('nightly-42'), seedOfRunId('nightly-43'));
  assert.ok(Number.isInteger(seedOfRunId('x')) && seedOfRunId('x') >= 0 && seedOfRunId('x') < 2 ** 32);
});
