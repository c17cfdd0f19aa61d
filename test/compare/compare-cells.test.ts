import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCells } from '../../src/compare/compare-cells.js';
import { renderCompareJson, renderCompareMarkdown, renderCompareText } from '../../src/compare/render-compare.js';
import { matchesSelector, parseSelector } from '../../src/compare/select-cells.js';
import { cellsOf } from '../../src/results/cell-samples.js';
import type { SweepResultsFile } from '../../src/types.js';
import { initHistograms, repetitionsFile, sweepFile } from '../helpers/synthetic-results.js';

await initHistograms();

const BASE = [
  { msgsPerS: 50_000, latencyUs: 200 },
  { msgsPerS: 51_200, latencyUs: 204 },
  { msgsPerS: 49_300, latencyUs: 197 },
];

describe('compare two files', () => {
  it('shows the change and its significance, ~ where not significant', () => {
    const a = cellsOf(repetitionsFile(BASE), 'a.json');
    const b = cellsOf(repetitionsFile(BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * 0.8 }))), 'b.json');
    const c = compareCells('a.json', a, 'b.json', b);
    assert.equal(c.pairs.length, 1);
    const [msgs, p50, p99, p999] = c.pairs[0]!.metrics;
    assert.deepEqual(
      c.pairs[0]!.metrics.map((m) => m.metric),
      ['msgs_per_s', 'p50', 'p99', 'p99_9'],
    );
    assert.equal(msgs!.verdict, 'worse');
    assert.ok(Math.abs(msgs!.changePct + 20) < 1e-9);
    for (const m of [p50, p99, p999]) assert.equal(m!.verdict, '~', `${m!.metric} has the same latencies on both sides`);
    const text = renderCompareText(c);
    assert.match(text, /msgs\/s\s+50,000 ±2%\s+40,000 ±2%\s+-20\.0% worse\s+0\.100\s+3\+3/);
    assert.match(text, /p50\s+.*\s+~\s+/);
    assert.match(text, /~ = not significant/);
    const md = renderCompareMarkdown(c);
    assert.match(md, /^\*\*A\*\* `a\.json` · \*\*B\*\* `b\.json`/);
    assert.match(md, /\| cell \| metric \| A \| B \| change \| p \| n \| 95% CI of B\/A \|/);
    assert.match(md, /\| msgs\/s \| 50,000 ±2% \| 40,000 ±2% \| -20\.0% worse \|/);
    const json = JSON.parse(renderCompareJson(c)) as { pairs: { metrics: { metric: string; verdict: string; significant: boolean; samplesB: number[] }[] }[] };
    const m = json.pairs[0]!.metrics[0]!;
    assert.equal(m.verdict, 'worse');
    assert.equal(m.significant, true);
    assert.deepEqual(m.samplesB, BASE.map((r) => r.msgsPerS * 0.8));
  });

  it('one repetition a side: ~ and a note about too few repetitions', () => {
    const c = compareCells('a', cellsOf(repetitionsFile([BASE[0]!]), 'a'), 'b', cellsOf(repetitionsFile([{ msgsPerS: 10, latencyUs: 9000 }]), 'b'));
    assert.ok(c.pairs[0]!.metrics.every((m) => m.verdict === '~'));
    assert.match(renderCompareText(c), /n=1\+1 is too few repetitions to ever be significant/);
  });

  it('a side without a completed repetition is flagged and not compared, not a crash', () => {
    const errored = (file: SweepResultsFile): SweepResultsFile => ({ ...file, repetitions: file.repetitions.map((r) => ({ ...r, status: 'errored' as const, run: null, error: 'boom' })) });
    const c = compareCells('a.json', cellsOf(repetitionsFile(BASE), 'a.json'), 'b.json', cellsOf(errored(repetitionsFile(BASE)), 'b.json'));
    assert.equal(c.pairs.length, 1);
    assert.equal(c.pairs[0]!.skipped, 'no completed repetition on side B (3 errored)');
    assert.deepEqual(c.pairs[0]!.metrics, []);
    const text = renderCompareText(c);
    assert.match(text, /not compared\s+3\+0/);
    assert.match(text, /not compared: .*: no completed repetition on side B \(3 errored\)\./);
    assert.match(renderCompareMarkdown(c), /- not compared: .*no completed repetition on side B/);
    const json = JSON.parse(renderCompareJson(c)) as { pairs: { skipped: string; n: number[]; metrics: unknown[] }[] };
    assert.deepEqual([json.pairs[0]!.skipped, json.pairs[0]!.n, json.pairs[0]!.metrics], ['no completed repetition on side B (3 errored)', [3, 0], []]);
    const reversed = compareCells('b', cellsOf(errored(repetitionsFile(BASE)), 'b'), 'a', cellsOf(repetitionsFile(BASE), 'a'));
    assert.equal(reversed.pairs[0]!.skipped, 'no completed repetition on side A (3 errored)');
  });

  it('errors from 0 to 5–7 per repetition: worse, +∞%, and says what was tested', () => {
    const a = cellsOf(sweepFile([{ axes: {}, repetitions: BASE.map((r) => ({ ...r, errors: 0 })) }]), 'a');
    const b = cellsOf(sweepFile([{ axes: {}, repetitions: BASE.map((r, i) => ({ ...r, errors: [5, 7, 6][i] })) }]), 'b');
    const c = compareCells('a', a, 'b', b, { metrics: ['errors', 'max'] });
    const errors = c.pairs[0]!.metrics[0]!;
    assert.equal(errors.verdict, 'worse');
    const text = renderCompareText(c);
    assert.match(text, /errors\s+0\s+18\s+\+∞% worse\s+0\.100\s+3\+3\s+\+∞% … \+∞%/);
    assert.match(text, /errors \(sum of the repetitions\), max \(largest of the repetitions\): A, B and change use that figure; p and the CI test the per-repetition values/);
    const json = JSON.parse(renderCompareJson(c)) as { pairs: { metrics: { changePct: number | null; fromZero: boolean; combine: string }[] }[] };
    assert.deepEqual(json.pairs[0]!.metrics[0], { ...json.pairs[0]!.metrics[0], changePct: null, fromZero: true, combine: 'sum' });
  });

  it('counts significant comparisons against those chance alone would flag', () => {
    const cells = (factor: number) =>
      [16, 1024].map((size) => ({ axes: { size }, config: { size }, repetitions: BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * (size === 16 ? factor : 1) })) }));
    const c = compareCells('a', cellsOf(sweepFile(cells(1)), 'a'), 'b', cellsOf(sweepFile(cells(0.8)), 'b'));
    const line =
      '1 of 8 comparisons significant; at α = 0.10 about 0.8 would be flagged by chance if nothing changed — interleave with check --ab or add repetitions to tell drift from change.';
    assert.ok(renderCompareText(c).includes(line), renderCompareText(c));
    assert.ok(renderCompareMarkdown(c).includes(`- ${line}`));
    const json = JSON.parse(renderCompareJson(c)) as { significance: { significant: number; testable: number; expectedByChance: number; note: string } };
    assert.deepEqual(json.significance, { significant: 1, testable: 8, expectedByChance: 0.8, note: line });
  });

  it('lists cells without a counterpart', () => {
    const a = cellsOf(repetitionsFile(BASE, { size: 16 }), 'a');
    const b = cellsOf(repetitionsFile(BASE, { size: 1024 }), 'b');
    const c = compareCells('a', a, 'b', b);
    assert.equal(c.pairs.length, 0);
    assert.equal(c.onlyA.length, 1);
    assert.equal(c.onlyB.length, 1);
  });
});

describe('compare two cells of one file', () => {
  const file = sweepFile([
    { axes: { compression: 'identity', size: 16 }, config: { compression: 'identity', size: 16 }, repetitions: BASE },
    { axes: { compression: 'gzip', size: 16 }, config: { compression: 'gzip', size: 16 }, repetitions: BASE.map((r) => ({ msgsPerS: r.msgsPerS / 3, latencyUs: r.latencyUs * 3 })) },
    { axes: { compression: 'identity', size: 1024 }, config: { compression: 'identity', size: 1024 }, repetitions: BASE },
    { axes: { compression: 'gzip', size: 1024 }, config: { compression: 'gzip', size: 1024 }, repetitions: BASE.map((r) => ({ msgsPerS: r.msgsPerS / 2, latencyUs: r.latencyUs * 2 })) },
  ]);
  const cells = cellsOf(file, 'sweep.json');

  it('selectors pick cells by setting (bytes in any unit) or id', () => {
    assert.equal(cells.filter((c) => matchesSelector(c, parseSelector('--a', 'compression=gzip'))).length, 2);
    assert.equal(cells.filter((c) => matchesSelector(c, parseSelector('--a', 'size=1KiB'))).length, 2);
    assert.equal(cells.filter((c) => matchesSelector(c, parseSelector('--a', 'compression=gzip,size=16'))).length, 1);
    assert.throws(() => parseSelector('--a', 'gzip'), /--a "gzip" must be FIELD=VALUE/);
  });

  it('gzip against identity pairs cells of equal size', () => {
    const a = parseSelector('--a', 'compression=identity');
    const b = parseSelector('--b', 'compression=gzip');
    const c = compareCells(
      'identity',
      cells.filter((x) => matchesSelector(x, a)),
      'gzip',
      cells.filter((x) => matchesSelector(x, b)),
      { omit: ['compression'] },
    );
    assert.deepEqual(
      c.pairs.map((p) => [p.label, p.aId, p.bId]),
      [
        ['size=16', 'compression=identity,size=16', 'compression=gzip,size=16'],
        ['size=1024', 'compression=identity,size=1024', 'compression=gzip,size=1024'],
      ],
    );
    const msgs = c.pairs.map((p) => p.metrics[0]!);
    assert.deepEqual(
      msgs.map((m) => [m.verdict, Math.round(m.changePct)]),
      [
        ['worse', -67],
        ['worse', -50],
      ],
    );
  });
});
