import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, ConfigError } from '../../src/index.js';
import { initHistograms, repetitionsFile, sweepFile } from '../helpers/synthetic-results.js';

await initHistograms();

const BASE = [
  { msgsPerS: 50_000, latencyUs: 200 },
  { msgsPerS: 51_200, latencyUs: 204 },
  { msgsPerS: 49_300, latencyUs: 197 },
];

describe('compare()', () => {
  it('B against A per matching cell, with verdicts', async () => {
    const a = repetitionsFile(BASE);
    const b = repetitionsFile(BASE.map((r) => ({ ...r, msgsPerS: r.msgsPerS * 1.3 })));
    const [comparison, ...rest] = await compare({ files: [a, b], metrics: ['msgs_per_s', 'p99'] });
    assert.equal(rest.length, 0);
    assert.ok(comparison);
    assert.equal(comparison.aName, 'files[0]');
    assert.equal(comparison.bName, 'files[1]');
    assert.equal(comparison.pairs.length, 1);
    const [throughput, p99] = comparison.pairs[0]?.metrics ?? [];
    assert.equal(throughput?.metric, 'msgs_per_s');
    assert.equal(throughput?.verdict, 'better');
    assert.ok(Math.abs((throughput?.changePct ?? 0) - 30) < 0.5);
    assert.equal(p99?.metric, 'p99');
    assert.equal(p99?.verdict, '~');
  });

  it('selectors compare cells within one document', async () => {
    const file = sweepFile([
      { axes: { compression: 'identity' }, config: { compression: 'identity' }, repetitions: [{ msgsPerS: 40_000, latencyUs: 180 }] },
      { axes: { compression: 'gzip' }, config: { compression: 'gzip' }, repetitions: [{ msgsPerS: 30_000, latencyUs: 260 }] },
    ]);
    const comparisons = await compare({ files: [file], a: 'compression=identity', b: 'compression=gzip', metrics: 'msgs_per_s' });
    assert.equal(comparisons.length, 1);
    assert.equal(comparisons[0]?.pairs[0]?.metrics[0]?.b, 30_000);
  });

  it('bad input is the CLI\'s ConfigError', async () => {
    const a = repetitionsFile(BASE);
    await assert.rejects(compare({ files: [a] }), { name: 'ConfigError', message: 'compare needs two results files (A B), or one file with --a SELECTOR --b SELECTOR' });
    await assert.rejects(compare({ files: [a, a], metrics: ['p42'] }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^--metrics: unknown metric "p42"; metrics: /);
      return true;
    });
    await assert.rejects(compare({ files: [a], a: 'compression=gzip' }), { name: 'ConfigError', message: '--a and --b go together: give both selectors' });
  });
});
