import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BenchError, check, ConfigError } from '../../src/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { initHistograms, repetitionsFile } from '../helpers/synthetic-results.js';

await initHistograms();

const BASE = [
  { msgsPerS: 50_000, latencyUs: 200 },
  { msgsPerS: 51_200, latencyUs: 204 },
  { msgsPerS: 49_300, latencyUs: 197 },
];
const baseline = repetitionsFile(BASE);
const slower = repetitionsFile(BASE.map((r) => ({ msgsPerS: r.msgsPerS * 0.7, latencyUs: r.latencyUs * 1.5 })));

describe('check()', () => {
  it('every threshold passed: passed, exit code 0, verdicts quoting the thresholds', async () => {
    const result = await check({ thresholds: ['errors == 0', 'msgs_per_s > 1000', 'p99 regress < 15%'], results: [baseline], baseline: [baseline] });
    assert.equal(result.passed, true);
    assert.equal(result.exitCode, 0);
    assert.equal(result.failed, 0);
    assert.equal(result.verdicts.length, 3);
    assert.deepEqual(result.verdicts.map((v) => v.threshold), ['errors == 0', 'msgs_per_s > 1000', 'p99 regress < 15%']);
    assert.equal(result.summary, 'check passed: all 3 threshold checks passed');
    assert.equal(result.measured, null);
    assert.match(result.context.join('\n'), /^candidate: results\[0\] \(1 cell, 3 repetitions each\)$/m);
  });

  it('a significant regression fails: passed false, exit code 5', async () => {
    const result = await check({ thresholds: 'msgs_per_s regress < 10%', results: slower, baseline });
    assert.equal(result.passed, false);
    assert.equal(result.exitCode, 5);
    assert.equal(result.failed, 1);
    assert.equal(result.verdicts[0]?.verdict, 'FAIL (significant)');
    assert.equal(result.summary, 'check failed: 1 of 1 threshold checks failed');
  });

  it('reads results files by path, as the CLI does, to the same verdicts', async () => {
    const dir = tempDir();
    const candidatePath = join(dir, 'candidate.json');
    const baselinePath = join(dir, 'baseline.json');
    writeFileSync(candidatePath, JSON.stringify(slower));
    writeFileSync(baselinePath, JSON.stringify(baseline));
    const thresholds = ['p99 regress < 15%', 'errors == 0'];
    const result = await check({ thresholds, results: [candidatePath], baseline: [baselinePath] });
    const cli = await runCli(['check', '--results', candidatePath, '--baseline', baselinePath, ...thresholds.flatMap((t) => ['-t', t])]);
    assert.equal(cli.code, result.exitCode);
    assert.equal(result.verdicts.length, thresholds.length, 'one verdict per threshold');
    for (const v of result.verdicts) assert.ok(cli.stdout.includes(v.reason), `CLI prints ${v.reason}`);
    assert.ok(cli.stdout.includes(result.summary));
  });

  it('invalid input throws the ConfigError the CLI reports (exit code 2), before any load', async () => {
    const cases: { options: Parameters<typeof check>[0]; flags: string[] }[] = [
      { options: { thresholds: ['p99 < 5'] , results: [baseline] }, flags: ['-t', 'p99 < 5', '--results', 'x.json'] },
      { options: { thresholds: ['p99 regress < 10%'], streams: 2 }, flags: ['-t', 'p99 regress < 10%', '--streams', '2'] },
      { options: { thresholds: ['errors == 0'], ab: true }, flags: ['-t', 'errors == 0', '--ab'] },
      { options: { thresholds: ['p99 regress < 10%'], ab: true, candidate: ['compression=gzip'], repeat: 2 }, flags: ['-t', 'p99 regress < 10%', '--ab', '--candidate', 'compression=gzip', '--repeat', '2'] },
    ];
    for (const { options, flags } of cases) {
      const cli = await runCli(['check', ...flags]);
      assert.equal(cli.code, 2, cli.stderr);
      await assert.rejects(check(options), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.exitCode, 2);
        assert.equal(`grpc-stream-bench: ${error.message}`, cli.stderr.trim());
        return true;
      });
    }
  });

  it('run options with given results name the flags they would be', async () => {
    await assert.rejects(check({ thresholds: ['errors == 0'], results: [baseline], streams: 4, inFlight: 2, verify: true }), {
      name: 'ConfigError',
      message: '--results checks measured results: --streams, --in-flight, --verify apply only when check runs the load',
    });
    await assert.rejects(check({ thresholds: [] }), { name: 'ConfigError', message: 'give at least one --threshold, e.g. --threshold "p99 < 5ms"' });
  });

  it('a results document that is not one is a ConfigError naming it', async () => {
    await assert.rejects(check({ thresholds: ['errors == 0'], results: [{ schema: 'nope' } as never] }), (error: unknown) => {
      assert.ok(error instanceof BenchError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^results\[0\]: not a grpc-stream-bench results file \(schema must be "grpc-stream-bench\/results", got "nope"\)$/);
      return true;
    });
  });
});
