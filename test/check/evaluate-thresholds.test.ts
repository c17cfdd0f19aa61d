import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateThresholds, matchBaseline } from '../../src/check/evaluate-thresholds.js';
import { parseThresholds } from '../../src/check/parse-threshold.js';
import { renderVerdictsMarkdown, renderVerdictsText } from '../../src/check/render-verdicts.js';
import { ConfigError } from '../../src/errors.js';
import { cellsOf } from '../../src/results/cell-samples.js';
import type { ResultsFile } from '../../src/types.js';
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

  it('a baseline without the candidate workload is incompatible (exit 2)', () => {
    const baseline = repetitionsFile(BASE, { size: 1024 });
    assert.throws(
      () => check(repetitionsFile(BASE), baseline, RELATIVE),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && /baseline baseline\.json is incompatible: it has no cell with the workload of "workers=1,.*size=16/.test(e.message),
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
