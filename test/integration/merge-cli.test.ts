import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { initHistograms } from '../../src/stats/histogram.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { shardRunFile } from '../helpers/shard-results.js';

const dir = tempDir();
const paths: string[] = [];

before(async () => {
  await initHistograms();
  for (let index = 1; index <= 3; index++) {
    const path = join(dir, `shard-${index}.json`);
    writeFileSync(path, JSON.stringify(shardRunFile({ index, count: 3, values: Array.from({ length: 200 }, (_, k) => 100 + k * index) })));
    paths.push(path);
  }
});

describe('grpc-stream-bench merge', () => {
  it('writes one results file and prints its summary', async () => {
    const out = join(dir, 'merged.json');
    const result = await runCli(['merge', ...paths, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^merged {5}run run-42: 3 of 3 shards \(1@host-1, 2@host-2, 3@host-3\) · start skew 0 ms$/m);
    assert.match(result.stdout, new RegExp(`results {4}${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const file = JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
    assert.equal(file.run.metrics.latencyUs.count, 600);
    const reported = await runCli(['report', out]);
    assert.equal(reported.code, 0, reported.stderr);
  });

  it('exits 2 with one line when a shard is missing, and merges a partial result with --allow-missing', async () => {
    const out = join(dir, 'partial.json');
    const refused = await runCli(['merge', paths[0] as string, paths[1] as string, '--out', out]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'grpc-stream-bench: shard 3 of 3 of run "run-42" is missing (given: 1, 2); pass --allow-missing to merge the others into a partial result\n');
    assert.equal(existsSync(out), false);
    const partial = await runCli(['merge', paths[0] as string, paths[1] as string, '--out', out, '--allow-missing']);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stdout, /partial: shard 3 of 3 missing/);
    assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run.merged?.missing, [3]);
  });

  it('exits 2 on a file that is not a results file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    const result = await runCli(['merge', bad, '--out', join(dir, 'x.json')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^grpc-stream-bench: .*bad\.json: not a grpc-stream-bench results file/);
  });
});
