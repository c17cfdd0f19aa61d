import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveProfile } from '../../src/profile/validate-profile.js';
import { planSweep } from '../../src/sweep/plan-sweep.js';
import type { RunRecord, SweepRepetition, SweepResultsFile } from '../../src/types.js';
import { tinyProfile } from '../helpers/sweep-cli.js';

const machine = { cpuCount: 2, platform: 'linux' };
const profile = resolveProfile(tinyProfile(3), { name: 'tiny', source: null }, machine);

function partialFile(seed: number, done: SweepRepetition[]): SweepResultsFile {
  return { seed, repeat: 3, cells: profile.cells, repetitions: done, createdAt: 'x' } as unknown as SweepResultsFile;
}

test('a fresh plan runs every repetition', () => {
  const plan = planSweep({ profile, seed: 9 });
  assert.equal(plan.order.length, 12);
  assert.equal(plan.pending.length, 12);
  assert.equal(plan.kept.length, 0);
  assert.equal(plan.seed, 9);
});

test('resume skips completed repetitions, reruns errored ones, keeps seed and order', () => {
  const first = planSweep({ profile, seed: 5 });
  const fakeRun = {} as RunRecord;
  const done: SweepRepetition[] = first.order.slice(0, 5).map((s, i) => ({
    cellId: s.cellId,
    repetition: s.repetition,
    order: s.order,
    status: i === 4 ? 'errored' : 'completed',
    run: i === 4 ? null : fakeRun,
    error: i === 4 ? 'boom' : null,
  }));
  const resumed = planSweep({ profile, resume: partialFile(5, done) });
  assert.equal(resumed.seed, 5);
  assert.deepEqual(resumed.order, first.order);
  assert.equal(resumed.kept.length, 4);
  assert.deepEqual(resumed.pending, first.order.slice(4));
  assert.ok(resumed.estimate.repetitions === 8);
});

test('resume refuses another seed or other cells', () => {
  assert.throws(() => planSweep({ profile, seed: 6, resume: partialFile(5, []) }), /--seed 6 differs from the seed of the resumed sweep \(5\)/);
  const other = resolveProfile({ ...(tinyProfile(3) as object), axes: { compression: ['gzip'], size: [16], window: [65535] } }, { name: 'other', source: null }, machine);
  assert.throws(() => planSweep({ profile: other, resume: partialFile(5, []) }), /the resumed file's cells \(4\) are not the cells of profile other \(1\)/);
});
