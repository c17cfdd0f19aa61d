import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateThresholds, matchBaseline } from '../../src/check/evaluate-thresholds.js';
import { parseThresholds } from '../../src/check/parse-threshold.js';
import { renderVerdictsMarkdown, renderVerdictsText } from '../../src/check/render-verdicts.js';
import { ConfigError } from '../../src/errors.js';
import { cellsOf } from '../../src/results/cell-samples.js';
import type { ResultsFile, SweepResultsFile } from '../../src/types.js';
import { initHistograms, repetitionsFile, runFile, sweepFile, syntheticRun } from '../helpers/synthetic-results.js';

await initHistograms();

const BASE = [
  { msgsPerS: 50_000, latencyUs: 200 },
  { msgsPerS: 51_200, latencyUs: 204 },
  { msgsPerS: 49_300, latencyUs: 197 },
];

function check(candidate: ResultsFile, baseline: ResultsFile | null, expressions: string[]) {
  const cells = matchBaseline(cellsOf(candidate, 'candidate.json'), baseline && cellsOf(baseline, 'baseline.json'), 'baseline.json');
  return evaluateThresholds(parseThresholds(expressions), cells);
}

const RELATIVE = ['msgs_per_s regress < 10%', 'p99 regress < 15%', 'p50 regress < 15%'];

/** The file with its first `count` repetitions (in file order) turned into errored ones. */
function withErrored(file: SweepResultsFile, count: number): SweepResultsFile {
  return { ...file, repetitions: file.repetitions.map((r, i) => (i < count ? { ...r, status: 'errored' as const, run: null, error: 'boom' } : r)) };
}

describe('check against a baseline', () => {
  it('identical result files: no regression', () => {
    const file = repetitionsFile(BASE);
    const outcome = check(file, file, [...RELATIVE, 'errors == 0']);
    assert.equal(outcome.failed, 0);
    assert.ok(outcome.verdicts.every((v) => v.pass && v.verdict === 'pass'));
  });

  it('20% lower throughput in every repetition: a significant regression', () => {
    const candidate = repetitionsFile(BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * 0.8 })));
    const outcome = check(candidate, repetitionsFile(BASE), ['msgs_per_s regress < 10%']);
    assert.equal(outcome.failed, 1);
    const v = outcome.verdicts[0]!;
    assert.equal(v.verdict, 'FAIL (significant)');
    assert.equal(v.significance, 'significant');
    assert.match(v.observed, /^-20\.0% \(/);
    assert.match(v.reason, /regressed 20\.0%, significant \(p=0\.100 n=3\+3/);
  });

  it('repetitions with overlapping noise beyond the limit: ~, not a regression', () => {
    const baseline = repetitionsFile([
      { msgsPerS: 50_000, latencyUs: 200 },
      { msgsPerS: 40_000, latencyUs: 200 },
      { msgsPerS: 46_000, latencyUs: 200 },
    ]);
    const candidate = repetitionsFile([
      { msgsPerS: 41_000, latencyUs: 200 },
      { msgsPerS: 48_000, latencyUs: 200 },
      { msgsPerS: 39_000, latencyUs: 200 },
    ]);
    const outcome = check(candidate, baseline, ['msgs_per_s regress < 10%']);
    const v = outcome.verdicts[0]!;
    assert.equal(v.pass, true);
    assert.equal(v.verdict, 'pass ~');
    assert.equal(v.significance, 'not significant');
    assert.match(v.reason, /^~ regressed 10\.9%, beyond 10% but not significant/);
  });

  it('latency regressions are increases: p99 up 30% everywhere fails, p99 down passes', () => {
    const slower = repetitionsFile(BASE.map((r) => ({ ...r, latencyUs: r.latencyUs * 1.3 })));
    const faster = repetitionsFile(BASE.map((r) => ({ ...r, latencyUs: r.latencyUs * 0.7 })));
    assert.equal(check(slower, repetitionsFile(BASE), ['p99 regress < 15%']).verdicts[0]!.verdict, 'FAIL (significant)');
    assert.equal(check(faster, repetitionsFile(BASE), ['p99 regress < 15%']).verdicts[0]!.verdict, 'pass');
  });

  it('one repetition a side cannot be tested: invalid input (exit 2), not a silent pass or fail', () => {
    assert.throws(
      () => check(runFile(syntheticRun({ msgsPerS: 30_000, latencyUs: 200 })), runFile(syntheticRun({ msgsPerS: 50_000, latencyUs: 200 })), ['msgs_per_s regress < 10%']),
      (error: unknown) => error instanceof ConfigError && /1\+1 repetitions cannot show a significant difference; relative thresholds need at least 3 repetitions on each side/.test(error.message),
    );
  });

  it('errors from 0 in every baseline repetition to 5–7 in every candidate one: a significant regression, shown as from 0', () => {
    const baseline = sweepFile([{ axes: {}, repetitions: BASE.map((r) => ({ ...r, errors: 0 })) }]);
    const candidate = sweepFile([{ axes: {}, repetitions: BASE.map((r, i) => ({ ...r, errors: [5, 7, 6][i] })) }]);
    const outcome = check(candidate, baseline, ['errors regress < 10%']);
    const v = outcome.verdicts[0]!;
    assert.equal(v.verdict, 'FAIL (significant)');
    assert.equal(outcome.failed, 1);
    assert.equal(v.observed, '+∞% (18 vs baseline 0 errors, sums of the repetitions)');
    assert.match(v.reason, /^regressed from 0 \(\+∞%\), significant \(tested per repetition, medians 6 vs 0: p=0\.100 n=3\+3, 95% CI of ratio ∞–∞\)$/);
    assert.doesNotMatch(v.reason, /NaN|Infinity/);
  });

  it('a candidate cell whose repetitions all errored fails (exit 5), it does not crash', () => {
    const candidate = withErrored(repetitionsFile(BASE), 3);
    const outcome = check(candidate, repetitionsFile(BASE), ['msgs_per_s regress < 10%', 'errors == 0']);
    assert.equal(outcome.failed, 2);
    assert.deepEqual(
      outcome.verdicts.map((v) => [v.verdict, v.observed]),
      [
        ['FAIL', 'no completed repetition'],
        ['FAIL', 'errors n/a'],
      ],
    );
    assert.equal(outcome.verdicts[0]!.reason, 'no completed candidate repetition (3 errored): nothing to compare with the baseline');
  });

  it('candidate repetitions lost to errors below 3 fail (the candidate is broken), not invalid input', () => {
    const outcome = check(withErrored(repetitionsFile(BASE), 1), repetitionsFile(BASE), ['msgs_per_s regress < 10%']);
    const v = outcome.verdicts[0]!;
    assert.equal(v.verdict, 'FAIL');
    assert.equal(v.observed, '2 of 3 repetitions completed');
    assert.match(v.reason, /1 candidate repetition errored: 2 left, fewer than the 3 a significance test needs/);
  });

  it('a baseline cell without a completed repetition is invalid input (exit 2)', () => {
    assert.throws(
      () => check(repetitionsFile(BASE), withErrored(repetitionsFile(BASE), 3), ['msgs_per_s regress < 10%']),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && /the baseline has 0 completed repetition\(s\) \(3 errored\)/.test(e.message),
    );
  });

  it('relative thresholds over several cells: a note on how many chance alone would flag', () => {
    const cells = (factor: number) =>
      ['identity', 'gzip', 'deflate'].map((compression) => ({
        axes: { compression },
        config: { compression: compression as 'identity' | 'gzip' | 'deflate' },
        repetitions: BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * (compression === 'gzip' ? factor : 1) })),
      }));
    const outcome = check(sweepFile(cells(0.7)), sweepFile(cells(1)), ['msgs_per_s regress < 10%', 'p99 regress < 15%', 'errors == 0']);
    const note =
      '1 of 6 relative checks found a significant regression; if nothing changed, about 0.3 would by chance (α = 0.10, 0.05 per check in the regression direction) — confirm a lone FAIL with check --ab (interleaved) or more repetitions before trusting it.';
    assert.ok(renderVerdictsText(outcome).includes(note), renderVerdictsText(outcome));
    assert.ok(renderVerdictsMarkdown(outcome).includes(note));
    const one = check(repetitionsFile(BASE), repetitionsFile(BASE), ['msgs_per_s regress < 10%', 'p99 regress < 15%']);
    assert.doesNotMatch(renderVerdictsText(one), /by chance/);
  });

  it('a baseline without the candidate workload is incompatible (exit 2)', () => {
    const baseline = repetitionsFile(BASE, { size: 1024 });
    assert.throws(
      () => check(repetitionsFile(BASE), baseline, RELATIVE),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && /baseline baseline\.json is incompatible: it has no cell with the workload of "engine=h2,security=plaintext,workers=1,.*size=16/.test(e.message),
    );
  });

  it('sweep cells are matched by workload, whatever their order', () => {
    const cells = (factor: number) => [
      { axes: { compression: 'identity' }, config: { compression: 'identity' as const }, repetitions: BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * factor })) },
      { axes: { compression: 'gzip' }, config: { compression: 'gzip' as const }, repetitions: BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS / 4 })) },
    ];
    const outcome = check(sweepFile(cells(0.7)), sweepFile([...cells(1)].reverse()), ['msgs_per_s regress < 10%']);
    const byCell = Object.fromEntries(outcome.verdicts.map((v) => [v.cell, v.verdict]));
    assert.deepEqual(byCell, { 'compression=identity': 'FAIL (significant)', 'compression=gzip': 'pass' });
  });
});

describe('absolute thresholds', () => {
  it('use the median of repetitions, the sum of errors and quote the expression', () => {
    const file = sweepFile([{ axes: {}, repetitions: [{ msgsPerS: 40_000, latencyUs: 200 }, { msgsPerS: 60_000, latencyUs: 200, errors: 2 }, { msgsPerS: 50_000, latencyUs: 200 }] }]);
    const outcome = check(file, null, ['msgs_per_s > 45000', 'msgs_per_s > 55000', 'errors == 0', 'p50 < 1s']);
    assert.deepEqual(
      outcome.verdicts.map((v) => [v.threshold, v.pass]),
      [
        ['msgs_per_s > 45000', true],
        ['msgs_per_s > 55000', false],
        ['errors == 0', false],
        ['p50 < 1s', true],
      ],
    );
    assert.match(outcome.verdicts[0]!.observed, /msgs\/s 50,000 \(median of 3\)/);
    assert.match(outcome.verdicts[2]!.observed, /errors 2 \(sum of 3\)/);
    const text = renderVerdictsText(outcome);
    assert.match(text, /"msgs_per_s > 55000"/);
    assert.match(text, /check failed: 2 of 4 threshold checks failed/);
    const md = renderVerdictsMarkdown(outcome);
    assert.match(md, /^### ❌ grpc-stream-bench check failed: 2 of 4/);
    assert.match(md, /\| `errors == 0` \| `.*` \| ❌ FAIL \|/);
  });
  it('a relative threshold without a baseline is an input error', () => {
    assert.throws(() => check(repetitionsFile(BASE), null, ['p99 regress < 10%']), /is relative: give --baseline FILE or use --ab/);
  });
});
