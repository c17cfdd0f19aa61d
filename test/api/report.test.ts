import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, report } from '../../src/index.js';
import { renderMarkdownReport } from '../../src/report/markdown-report.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { initHistograms, runFile, sweepFile, syntheticRun } from '../helpers/synthetic-results.js';

await initHistograms();

const sweep = sweepFile([
  { axes: { compression: 'identity', size: 16, window: null }, config: { compression: 'identity' }, repetitions: [{ msgsPerS: 40_000, latencyUs: 180 }] },
  { axes: { compression: 'gzip', size: 16, window: null }, config: { compression: 'gzip' }, repetitions: [{ msgsPerS: 30_000, latencyUs: 260 }] },
]);

describe('report()', () => {
  it('returns the Markdown report with a row per cell', async () => {
    const text = await report({ files: [sweep] });
    assert.match(text, /^# grpc-stream-bench report$/m);
    assert.match(text, /^## sweep "synthetic" · files\[0\]$/m);
    assert.match(text, /^\| compression=identity \| 1 \| 40,000 \|/m);
    assert.match(text, /^\| compression=gzip \| 1 \| 30,000 \|/m);
    assert.equal(text, renderMarkdownReport([{ file: sweep, source: 'files[0]' }]));
  });

  it('a run document is one cell; a path gives what the CLI prints', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.json');
    const file = runFile(syntheticRun({ msgsPerS: 12_345, latencyUs: 300, config: { streams: 4 } }));
    writeFileSync(path, JSON.stringify(file));
    const text = await report({ files: path });
    assert.match(text, /streams=4/);
    assert.match(text, /12,345/);
    const cli = await runCli(['report', path]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, text);
  });

  it('format html returns the self-contained HTML report', async () => {
    const html = await report({ files: [sweep], format: 'html' });
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /compression=gzip/);
  });

  it('bad input is a ConfigError with exit code 2', async () => {
    await assert.rejects(report({ files: [sweep], format: 'pdf' as never }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.message, 'format must be one of md, html, got "pdf"');
      return true;
    });
    await assert.rejects(report({ files: [] }), { name: 'ConfigError', message: /needs at least one results file/ });
    await assert.rejects(report({ files: ['/nonexistent/results.json'] }), { name: 'ConfigError', message: 'results file /nonexistent/results.json does not exist' });
  });
});
