import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFaultPlan, deriveSeed, type FaultPlanOptions } from '../../src/resilience/fault-plan.js';

const BASE: FaultPlanOptions = { seed: 1, failRate: 0, dropRate: 0, stall: null };

/** The indices of the first `n` streams (or notes) the plan picks. */
function picked(next: () => boolean, n: number): number[] {
  const indices: number[] = [];
  for (let k = 0; k < n; k++) if (next()) indices.push(k);
  return indices;
}

test('the same seed gives the same rejections and drops; another seed other ones', () => {
  const options = { ...BASE, failRate: 0.3, dropRate: 0.3 };
  const a = createFaultPlan({ ...options, seed: 7 });
  const b = createFaultPlan({ ...options, seed: 7 });
  const c = createFaultPlan({ ...options, seed: 8 });
  const rejectedA = picked(a.rejectNextStream, 200);
  assert.deepEqual(picked(b.rejectNextStream, 200), rejectedA);
  assert.notDeepEqual(picked(c.rejectNextStream, 200), rejectedA);
  const droppedA = picked(a.dropNextNote, 200);
  assert.deepEqual(picked(b.dropNextNote, 200), droppedA);
  assert.notDeepEqual(picked(c.dropNextNote, 200), droppedA);
  // Streams and notes draw from separate sequences: they are not the same picks.
  assert.notDeepEqual(droppedA, rejectedA);
});

test('which stream is rejected does not depend on how many notes arrived in between', () => {
  const options = { ...BASE, seed: 3, failRate: 0.5, dropRate: 0.5 };
  const quiet = createFaultPlan(options);
  const busy = createFaultPlan(options);
  const rejected = picked(quiet.rejectNextStream, 100);
  const interleaved: number[] = [];
  for (let k = 0; k < 100; k++) {
    for (let n = 0; n < k % 7; n++) busy.dropNextNote();
    if (busy.rejectNextStream()) interleaved.push(k);
  }
  assert.deepEqual(interleaved, rejected);
});

test('rates come out near P over 10,000 decisions (fixed seeds: deterministic)', () => {
  const table: Array<[rate: number, seed: number]> = [
    [0.1, 1],
    [0.1, 7],
    [0.2, 42],
    [0.5, 1],
    [0.9, 123_456],
  ];
  for (const [rate, seed] of table) {
    const plan = createFaultPlan({ ...BASE, seed, failRate: rate, dropRate: rate });
    for (const [kind, next] of [
      ['streams', plan.rejectNextStream],
      ['notes', plan.dropNextNote],
    ] as const) {
      const share = picked(next, 10_000).length / 10_000;
      assert.ok(Math.abs(share - rate) <= 0.03, `${kind} at P=${rate} seed ${seed}: ${share}`);
    }
  }
});

test('rate 0 never fires, rate 1 always does', () => {
  const never = createFaultPlan({ ...BASE, failRate: 0, dropRate: 0 });
  const always = createFaultPlan({ ...BASE, failRate: 1, dropRate: 1 });
  assert.deepEqual(picked(never.rejectNextStream, 1000), []);
  assert.deepEqual(picked(never.dropNextNote, 1000), []);
  assert.equal(picked(always.rejectNextStream, 1000).length, 1000);
  assert.equal(picked(always.dropNextNote, 1000).length, 1000);
});

test('stall windows: the k-th starts k × every from server start and lasts the stall', () => {
  const plan = createFaultPlan({ ...BASE, stall: { everyMs: 1000, durationMs: 300 } });
  assert.deepEqual(plan.stallWindow(1), { index: 1, startMs: 1000, endMs: 1300 });
  assert.deepEqual(plan.stallWindow(3), { index: 3, startMs: 3000, endMs: 3300 });
  assert.equal(plan.stallWindow(0), null);
  const table: Array<[elapsedMs: number, stallAt: number | null, next: number]> = [
    [0, null, 1],
    [999.9, null, 1],
    [1000, 1, 1],
    [1299.9, 1, 2],
    [1300, null, 2],
    [2000, 2, 2],
    [2500, null, 3],
    [10_150, 10, 11],
  ];
  for (const [elapsedMs, stallAt, next] of table) {
    assert.equal(plan.stallAt(elapsedMs)?.index ?? null, stallAt, `stallAt(${elapsedMs})`);
    assert.equal(plan.nextStall(elapsedMs)?.index, next, `nextStall(${elapsedMs})`);
  }
});

test('without a stall schedule there are no stall windows', () => {
  const plan = createFaultPlan(BASE);
  assert.equal(plan.stallWindow(1), null);
  assert.equal(plan.stallAt(1000), null);
  assert.equal(plan.nextStall(0), null);
});

test('derived seeds differ by sequence and by seed', () => {
  const seeds = new Set([deriveSeed(1, 1), deriveSeed(1, 2), deriveSeed(2, 1), deriveSeed(2, 2), deriveSeed(0, 1)]);
  assert.equal(seeds.size, 5);
  for (const seed of seeds) assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
});
