/**
 * A server's stream limit is counted and said, never hidden: against the raw fixture that
 * resets streams over 2 per connection with REFUSED_STREAM (both engines), and the one that
 * advertises SETTINGS_MAX_CONCURRENT_STREAMS 2 (the h2 engine refuses the streams over it and
 * counts them; grpc-js would queue them inside node:http2, so the run warns).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ENGINES, type EngineName } from '../../src/engine/transport.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, serverPool, startRawServer, tempDir, type CliResult } from '../helpers/cli.js';

/** Hang guard (never a measurement). */
const CLI_TIMEOUT_MS = 30_000;
const dir = tempDir();
const { shared, stopAll } = serverPool();
after(stopAll);

let runs = 0;
async function run(engine: EngineName, target: string): Promise<{ result: CliResult; file: RunResultsFile }> {
  const out = join(dir, `limit-${engine}-${++runs}.json`);
  const result = await runCli(['run', '--target', target, '--engine', engine, '--streams', '4', '--connections', '1', '--duration', '1', '--warmup', '0', '--client-cpus', 'none', '--out', out], { timeoutMs: CLI_TIMEOUT_MS });
  return { result, file: JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile };
}

describe('server stream limits', () => {
  for (const engine of ENGINES) {
    test(`${engine}: streams reset with REFUSED_STREAM are counted and reported`, async () => {
      const server = await shared('refuse', () => startRawServer('refuse-streams', '2'));
      const { result, file } = await run(engine, server.target);
      const c = file.run.metrics.counters;
      assert.equal(c.refusedStreams, 2, 'the two streams over the limit');
      assert.equal(c.errorsByStatus.UNAVAILABLE, 2);
      // h2 retries each refused call once (refused again: the limit still holds); grpc-js does the same, unseen.
      assert.equal(c.transparentRetries, engine === 'h2' ? 2 : 0);
      assert.ok(c.received > 0, 'the other streams got echoes');
      assert.equal(result.code, 4, 'errors make the run fail (exit code 4)');
      assert.match(result.stdout, /warning {4}the server's stream limit was hit: 2 streams were refused/);
      assert.match(result.stdout, /2 streams refused: the server's stream limit was hit/);
    });
  }

  for (const engine of ENGINES) {
    test(`${engine}: calls the server refused before processing them are retried once, transparently: no error, nothing lost`, async () => {
      const server = await shared('refuse-first', () => startRawServer('refuse-first', '2'));
      const { result, file } = await run(engine, server.target);
      const c = file.run.metrics.counters;
      const why = `counters ${JSON.stringify(c)}; stderr ${result.stderr}`;
      assert.equal(result.code, 0, why);
      assert.equal(file.run.metrics.errorsTotal, 0, why);
      assert.deepEqual(c.errorsByStatus, {}, why);
      assert.equal(c.refusedStreams, 0, why);
      assert.equal(c.lost + c.unanswered, 0, why);
      assert.equal(c.streamsOpened, 4, 'a retry is the same call, not another stream');
      assert.ok(c.received > 0 && c.received === c.sent, why);
      assert.equal(file.run.metrics.backends?.reduce((a, b) => a + b.streamsOpened, 0), 4, 'all four calls answered');
      if (engine === 'h2') {
        assert.equal(c.transparentRetries, 2, why);
        assert.match(result.stdout, /2 calls retried transparently \(refused before the server processed them\)/);
      } else {
        assert.equal(c.transparentRetries, 0, 'grpc-js retries inside the library, unseen');
      }
    });
  }

  test('h2: streams over the advertised SETTINGS_MAX_CONCURRENT_STREAMS are refused by the client and counted', async () => {
    const server = await shared('max', () => startRawServer('max-streams', '2'));
    const { result, file } = await run('h2', server.target);
    const c = file.run.metrics.counters;
    assert.equal(c.refusedStreams, 2);
    assert.equal(c.errorsByStatus.UNAVAILABLE, 2);
    assert.ok(c.received > 0);
    assert.equal(result.code, 4);
    assert.match(result.stdout, /the server's stream limit was hit/);
  });

  test('grpc-js: streams over the advertised limit would wait unseen, so the run warns', async () => {
    const server = await shared('max', () => startRawServer('max-streams', '2'));
    const { result, file } = await run('grpc-js', server.target);
    assert.ok(
      file.run.warnings.some((w) => /^the server's stream limit was hit: it allows 2 concurrent streams per connection .* up to 4 on one; grpc-js queues/.test(w)),
      `warnings: ${file.run.warnings.join(' | ')}`,
    );
    assert.match(result.stdout, /grpc-js queues the streams over the limit/);
  });
});
