/**
 * Many streams from one generator process: 2,000 RouteChat streams over 4 connections, one
 * message in flight each, open loop at 4,000 msgs/s for 2 s, against the embedded echo server,
 * on both engines. Every stream opens and gets its echoes, without errors; the time series
 * carries the generator's memory. Assertions are about counts, never timing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ENGINES } from '../../src/engine/transport.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';

/** Hang guard (never a measurement). */
const CLI_TIMEOUT_MS = 90_000;
const STREAMS = 2_000;
const RATE = 4_000;
const DURATION_S = 2;
const dir = tempDir();

describe(`${STREAMS} streams from one process`, () => {
  for (const engine of ENGINES) {
    test(`${engine}: every stream opens and gets its echoes`, async () => {
      const out = join(dir, `scale-${engine}.json`);
      const args = ['run', '--engine', engine, '--streams', String(STREAMS), '--connections', '4', '--in-flight', '1', '--rate', String(RATE), '--duration', String(DURATION_S), '--warmup', '0', '--out', out];
      const result = await runCli(args, { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(result.code, 0, `exit code; stdout: ${result.stdout}\nstderr: ${result.stderr}`);
      const run = (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run;
      const c = run.metrics.counters;
      assert.equal(c.streamsOpened, STREAMS, 'one call per stream, all opened');
      assert.equal(c.connectionsOpened, 4);
      assert.equal(run.metrics.errorsTotal, 0, `no errors: ${JSON.stringify(c.errorsByStatus)}, unsent ${c.unsent}, unanswered ${c.unanswered}`);
      assert.equal(c.refusedStreams, 0);
      // Each stream is due every STREAMS / RATE s: DURATION_S * RATE / STREAMS messages per stream,
      // all sent and echoed (the window may close a timer tick early: a few of the last ones fall out of it).
      assert.ok(c.sent <= RATE * DURATION_S && c.sent >= RATE * DURATION_S * 0.99, `sent ${c.sent} of the ${RATE * DURATION_S} scheduled`);
      assert.equal(c.received, c.sent, 'every message echoed');
      assert.equal(c.unanswered, 0);
      assert.equal(run.timeSeries.reduce((a, p) => a + (p.connectionsOpened ?? 0), 0), 4, 'connections opened, per second');
      const last = run.timeSeries.at(-1);
      assert.ok(last !== undefined, 'a time series');
      assert.ok(run.timeSeries.some((p) => p.openStreams === STREAMS), `${STREAMS} streams up: ${run.timeSeries.map((p) => p.openStreams).join(',')}`);
      // The generator's memory is in every second of the time series, and summarized.
      for (const point of run.timeSeries) {
        assert.ok((point.rssMiB ?? 0) > 0, `RSS in second ${point.second}`);
        assert.ok((point.heapUsedMiB ?? 0) > 0, `main heap in second ${point.second}`);
        assert.ok((point.workerHeapUsedMiB ?? 0) > 0, `worker heap in second ${point.second}`);
      }
      const memory = run.metrics.generator.memory;
      assert.ok(memory && memory.peakRssMiB > 0 && memory.peakRssMiB >= memory.firstQuarterRssMiB);
      assert.match(result.stdout, /memory {5}generator RSS peak [\d.]+ MiB/);
    });
  }
});
