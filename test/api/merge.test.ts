import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, compare, ConfigError, merge, report } from '../../src/index.js';
import { initHistograms } from '../../src/stats/histogram.js';
import type { RunResultsFile } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';
import { shardRunFile } from '../helpers/shard-results.js';

before(initHistograms);

const shards = (count: number, latency = 100): RunResultsFile[] =>
  Array.from({ length: count }, (_, i) => shardRunFile({ index: i + 1, count, values: Array.from({ length: 300 }, (_, k) => latency + (k % 50) * (i + 1)) }));

describe('merge()', () => {
  it('merges paths and documents alike', async () => {
    const dir = tempDir();
    const [a, b] = shards(2);
    const path = join(dir, 'a.json');
    writeFileSync(path, JSON.stringify(a));
    const { file } = await merge({ files: [path, b as RunResultsFile] });
    assert.equal(file.kind, 'run');
    assert.equal((file as RunResultsFile).run.merged?.shards.map((s) => s.source).join(','), `${path},files[1]`);
    assert.equal((file as RunResultsFile).run.metrics.latencyUs.count, 600);
  });

  it('rejects unknown options and a bad allowMissing', async () => {
    await assert.rejects(merge({ files: [], allowmissing: true } as never), (e: unknown) => e instanceof ConfigError && /merge\(\): unknown option "allowmissing"; options: files, allowMissing/.test(e.message));
    await assert.rejects(merge({ files: shards(2), allowMissing: 'yes' } as never), /merge\(\): allowMissing must be true or false, got "yes"/);
  });

  it('refuses a missing shard unless allowMissing', async () => {
    await assert.rejects(merge({ files: shards(3).slice(0, 2) }), /shard 3 of 3 of run "run-42" is missing/);
    const { file } = await merge({ files: shards(3).slice(0, 2), allowMissing: true });
    assert.deepEqual((file as RunResultsFile).run.merged?.missing, [3]);
  });
});

describe('a merged file', () => {
  it('is read by report, which shows what is partial', async () => {
    const { file } = await merge({ files: shards(3).slice(0, 2), allowMissing: true });
    const text = await report({ files: file });
    assert.match(text, /partial: shard 3 of 3 missing/);
  });

  it('is compared with another merged run of the same workload', async () => {
    const base = (await merge({ files: shards(2, 100) })).file;
    const slower = (await merge({ files: shards(2, 400) })).file;
    const [comparison] = await compare({ files: [base, slower] });
    assert.ok(comparison);
    const p50 = comparison.pairs[0]?.metrics.find((m) => m.metric === 'p50');
    assert.ok(p50 && p50.b > p50.a, JSON.stringify(p50));
  });

  it('is checked against thresholds', async () => {
    const { file } = await merge({ files: shards(2) });
    const passed = await check({ results: file, thresholds: ['p99<100ms'] });
    assert.equal(passed.passed, true, passed.summary);
    const failed = await check({ results: file, thresholds: ['p50<10us'] });
    assert.equal(failed.passed, false);
    assert.equal(failed.exitCode, 5);
  });
});
