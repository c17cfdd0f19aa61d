/**
 * The workers' V8 heap limits (--worker-heap, --worker-young) reach the worker threads: a
 * run within them records them and prints them; a worker that outgrows its cap stops the run
 * with an error naming the worker, its load and the cap (the same load runs without the cap
 * in scale.test.ts). Assertions are about outcomes; the time bound only catches hangs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../../src/errors.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Hang guards (never a measurement). */
const CLI_TIMEOUT_MS = 60_000;
const dir = tempDir();

test('a run within --worker-heap and --worker-young records both and prints them', async () => {
  const out = join(dir, 'limits.json');
  const result = await runCli(['run', '--streams', '8', '--in-flight', '4', '--duration', '1', '--warmup', '0', '--worker-heap', '1GiB', '--worker-young', '48', '--out', out], { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(result.code, 0, `exit code; stderr: ${result.stderr}`);
  const run = (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run;
  assert.equal(run.config.workerHeapMiB, 1024);
  assert.equal(run.config.workerYoungMiB, 48);
  assert.ok(run.metrics.counters.received > 0, 'echoes within the limits');
  assert.match(result.stdout, /memory {5}generator RSS peak .* · worker heap cap 1024 MiB · young generation 48 MiB/);
});

test('a grpc-js worker that outgrows --worker-heap stops the run with an error that names it and the cap', async () => {
  const out = join(dir, 'oom.json');
  // 2,000 grpc-js calls hold more than 32 MiB of heap (scale.test.ts runs the same load uncapped).
  const args = ['run', '--engine', 'grpc-js', '--streams', '2000', '--connections', '4', '--in-flight', '1', '--rate', '4000', '--duration', '5', '--warmup', '0', '--worker-heap', '32', '--out', out];
  const result = await runCli(args, { timeoutMs: CLI_TIMEOUT_MS });
  assert.equal(result.code, ExitCode.internal, `exit code; stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  assert.match(result.stderr, /worker 0 ran out of memory: its V8 heap reached --worker-heap 32 MiB with 2000 streams on 4 connections, and the run was stopped; raise --worker-heap \(or leave it unset\), or spread the streams over more --workers/);
  assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.equal(existsSync(out), false, 'no results file for a run that did not finish');
});

test('--worker-heap and --worker-young refuse what V8 cannot take, naming the range', async () => {
  for (const [flag, value, message] of [
    ['--worker-heap', '16', /--worker-heap must be a whole number of MiB from 32 to 65536 \(each worker's V8 old generation\), e.g. 256 or 2GiB, got "16"/],
    ['--worker-young', '2TiB', /--worker-young must be a whole number of MiB from 3 to 1024 \(each worker's V8 young generation\), e.g. 256 or 2GiB, got "2TiB"/],
  ] as const) {
    const result = await runCli(['run', flag, value, '--duration', '1'], { timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(result.code, ExitCode.invalidArguments, `${flag} ${value}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
