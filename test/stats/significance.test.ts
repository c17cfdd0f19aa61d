import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapRatioOfMedians, compareSamples, mannWhitneyU, minimumPValue, standardNormalCdf } from '../../src/stats/significance.js';
import { median } from '../../src/stats/spread.js';

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('median', () => {
  for (const [values, expected] of [
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ] as const) {
    it(`median(${values.join(',')}) = ${expected}`, () => assert.equal(median(values), expected));
  }
  it('is NaN for no values', () => assert.ok(Number.isNaN(median([]))));
});

describe('mannWhitneyU', () => {
  it('complete separation 3 vs 3 gives the smallest two-sided p, 2/C(6,3) = 0.1', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    assert.equal(r.method, 'exact');
    assert.equal(r.u, 0);
    close(r.p, 0.1);
  });
  it('complete separation 5 vs 5 gives 2/252', () => close(mannWhitneyU([10, 11, 12, 13, 14], [1, 2, 3, 4, 5]).p, 2 / 252));
  it('is symmetric in its p-value', () => close(mannWhitneyU([1, 5, 9], [2, 3, 4]).p, mannWhitneyU([2, 3, 4], [1, 5, 9]).p));
  it('identical samples give p = 1', () => close(mannWhitneyU([5, 5, 5], [5, 5, 5]).p, 1));
  it('interleaved samples give a large p', () => assert.ok(mannWhitneyU([1, 3, 5], [2, 4, 6]).p > 0.5));
  it('handles ties with midranks: [1,2,2] vs [2,3,3]', () => {
    // Pooled midranks: 1→1, 2→3 (three 2s), 3→5.5; rank sum of a = 1+3+3 = 7, U = 7 − 6 = 1.
    const r = mannWhitneyU([1, 2, 2], [2, 3, 3]);
    assert.equal(r.u, 1);
    assert.ok(r.p > 0.1 && r.p <= 1);
  });
  it('exact and normal approximation agree for moderate samples', () => {
    const a = Array.from({ length: 20 }, (_, i) => i * 1.1);
    const b = Array.from({ length: 20 }, (_, i) => i * 1.1 + 6.05);
    const exact = mannWhitneyU(a, b);
    const normal = mannWhitneyU([...a, ...a.map((x) => x + 0.01), ...a.map((x) => x + 0.02)], [...b, ...b.map((x) => x + 0.01), ...b.map((x) => x + 0.02)]);
    assert.equal(exact.method, 'exact');
    assert.equal(normal.method, 'normal');
    assert.ok(exact.p < 0.05 && normal.p < 0.05, `exact ${exact.p}, normal ${normal.p}`);
  });
  it('minimumPValue: 3+3 → 0.1, 2+2 → 1/3, 1+1 → 1', () => {
    close(minimumPValue(3, 3), 0.1);
    close(minimumPValue(2, 2), 1 / 3);
    close(minimumPValue(1, 1), 1);
  });
  it('standardNormalCdf matches known values', () => {
    close(standardNormalCdf(0), 0.5, 1e-7);
    close(standardNormalCdf(1.959964), 0.975, 1e-6);
    close(standardNormalCdf(-1), 0.158655, 1e-6);
  });
});

describe('bootstrapRatioOfMedians', () => {
  it('is deterministic for a seed', () => {
    const a = [100, 104, 98, 101, 97];
    const b = [90, 93, 88, 95, 91];
    assert.deepEqual(bootstrapRatioOfMedians(a, b, { seed: 1 }), bootstrapRatioOfMedians(a, b, { seed: 1 }));
  });
  it('its interval holds the point ratio', () => {
    const r = bootstrapRatioOfMedians([100, 104, 98, 101, 97], [90, 93, 88, 95, 91]);
    close(r.ratio, 91 / 100);
    assert.ok(r.low <= r.ratio && r.ratio <= r.high);
  });
  it('identical varied samples give an interval that holds 1', () => {
    const r = bootstrapRatioOfMedians([5, 6, 7], [5, 6, 7]);
    assert.equal(r.ratio, 1);
    assert.ok(r.low < 1 && r.high > 1, `[${r.low}, ${r.high}]`);
  });
  it('identical constant samples give the interval [1, 1]', () => {
    const r = bootstrapRatioOfMedians([5, 5, 5], [5, 5, 5]);
    assert.deepEqual([r.low, r.ratio, r.high], [1, 1, 1]);
  });
  it('a zero baseline against positive values: every ratio is ∞, so is the interval (not NaN)', () => {
    const r = bootstrapRatioOfMedians([0, 0, 0], [5, 7, 6]);
    assert.deepEqual([r.low, r.ratio, r.high], [Infinity, Infinity, Infinity]);
  });
});

describe('compareSamples', () => {
  it('20% lower throughput in every repetition is significant', () => {
    const a = [50_000, 51_000, 49_500];
    const b = a.map((x) => x * 0.8);
    const r = compareSamples(a, b);
    assert.equal(r.testable, true);
    assert.equal(r.significant, true);
    assert.ok(r.interval.high < 1);
  });
  it('errors from 0 in every baseline repetition to 5–7 in every candidate one are significant', () => {
    const r = compareSamples([0, 0, 0], [5, 7, 6]);
    assert.equal(r.mannWhitney.p <= 0.1 + 1e-12, true);
    assert.equal(r.interval.low, Infinity);
    assert.equal(r.significant, true);
  });
  it('overlapping noise is not significant', () => {
    const r = compareSamples([50_000, 42_000, 47_000], [44_000, 49_000, 41_000]);
    assert.equal(r.significant, false);
  });
  it('one repetition a side is never significant (untestable)', () => {
    const r = compareSamples([50_000], [10_000]);
    assert.equal(r.testable, false);
    assert.equal(r.significant, false);
  });
  it('2 vs 2 cannot reach the level either', () => assert.equal(compareSamples([1, 2], [10, 11]).testable, false));
});
