import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { cellsOf, mergeCells } from '../../src/results/cell-samples.js';
import { parseResults, readResultsFile } from '../../src/results/read-results.js';
import { initHistograms, repetitionsFile, runFile, syntheticRun } from '../helpers/synthetic-results.js';
import { tempDir } from '../helpers/cli.js';

await initHistograms();

describe('readResultsFile', () => {
  const dir = tempDir();
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const rejects = (path: string, pattern: RegExp): void => {
    assert.throws(
      () => readResultsFile(path),
      (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && pattern.test(e.message),
    );
  };
  it('reads a run file and a sweep file', () => {
    const run = runFile(syntheticRun({ msgsPerS: 1000, latencyUs: 100 }));
    assert.equal(readResultsFile(write('run.json', JSON.stringify(run))).kind, 'run');
    assert.equal(readResultsFile(write('sweep.json', JSON.stringify(repetitionsFile([{ msgsPerS: 1, latencyUs: 1 }])))).kind, 'sweep');
  });
  it('a missing file', () => rejects(join(dir, 'nope.json'), /results file .*nope\.json does not exist/));
  it('not JSON', () => rejects(write('bad.json', '{'), /bad\.json: not valid JSON/));
  it('another schema', () => rejects(write('other.json', '{"schema":"k6"}'), /other\.json: not a grpc-stream-bench results file \(schema must be "grpc-stream-bench\/results", got "k6"\)/));
  it('another schema version', () => {
    const file = { ...runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1 })), schemaVersion: 99 };
    rejects(write('v99.json', JSON.stringify(file)), /results schema version 99 is not supported \(this build reads version 1\)/);
  });
  it('an unknown kind', () => {
    const file = { ...runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1 })), kind: 'soak' };
    rejects(write('kind.json', JSON.stringify(file)), /kind must be "run" or "sweep", got "soak"/);
  });
  it('a run without a histogram', () => {
    const file = runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1 }));
    assert.throws(() => parseResults({ ...file, run: { ...file.run, histograms: {} } }, 'x.json'), /x\.json: .*run\.histograms\.latencyUs must be an encoded histogram/);
  });
});

describe('cells', () => {
  it('run files of one workload merge into one cell with their repetitions', () => {
    const files = [1, 2, 3].map((seed) => runFile(syntheticRun({ msgsPerS: 1000 * seed, latencyUs: 100, seed })));
    const merged = mergeCells(files.map((f, i) => cellsOf(f, `r${i}.json`)));
    assert.equal(merged.length, 1);
    assert.deepEqual(
      merged[0]!.runs.map((r) => r.metrics.msgsPerS),
      [1000, 2000, 3000],
    );
    assert.deepEqual(merged[0]!.sources, ['r0.json', 'r1.json', 'r2.json']);
  });
  it('the target, CPUs and durations are not part of the workload', () => {
    const a = cellsOf(runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1, config: { target: '127.0.0.1:1', durationS: 5, clientCpus: '1' } })), 'a')[0]!;
    const b = cellsOf(runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1, config: { target: null, durationS: 1 } })), 'b')[0]!;
    const c = cellsOf(runFile(syntheticRun({ msgsPerS: 1, latencyUs: 1, config: { window: 1 << 20 } })), 'c')[0]!;
    assert.equal(a.key, b.key);
    assert.notEqual(a.key, c.key);
  });
});

it('files from before the engine setting read as grpc-js runs, so they never pair with h2 runs', () => {
  const file = JSON.parse(JSON.stringify(runFile(syntheticRun({ msgsPerS: 1000, latencyUs: 100 })))) as { run: { config: Record<string, unknown> } };
  delete file.run.config.engine;
  const parsed = parseResults(file, 'old.json');
  assert.equal(parsed.kind === 'run' && parsed.run.config.engine, 'grpc-js');
});
