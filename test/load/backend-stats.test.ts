import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BackendTable } from '../../src/load/backend-stats.js';
import { createLatencyHistogram, encodeHistogram, initHistograms, recordLatency, summarizeEncoded } from '../../src/stats/histogram.js';

before(() => initHistograms());

/** An echo as the stream driver records it: its backend looked up (at the call's headers, before its echoes), the echo in the worker's histogram, then on the backend. */
function echo(worker: ReturnType<typeof createLatencyHistogram>, table: BackendTable, backend: string, latencyMs: number): void {
  const stats = table.of(backend);
  recordLatency(worker, latencyMs * 1000);
  stats.recordEcho(true, true, latencyMs * 1000);
}

test("one backend's latencies are the worker's: recorded once, exact in its result", () => {
  const worker = createLatencyHistogram();
  const table = new BackendTable(worker);
  for (const ms of [1, 2, 3, 40]) echo(worker, table, 'a:1', ms);
  assert.equal(table.of('a:1').recordsLatency, false, 'not recorded twice');
  const [a] = table.results();
  assert.equal(a?.received, 4);
  assert.equal(a?.histogram, encodeHistogram(worker), "the worker's histogram");
  assert.equal(summarizeEncoded([a?.histogram ?? '']).count, 4);
  assert.ok(summarizeEncoded([a?.histogram ?? '']).max >= 39_900);
  table.destroy();
  worker.destroy();
});

test('a second backend copies the first one its latencies so far; afterwards each records its own, and they add up to the worker', () => {
  const worker = createLatencyHistogram();
  const table = new BackendTable(worker);
  for (const ms of [1, 2, 3]) echo(worker, table, 'a:1', ms);
  for (const ms of [50, 60]) echo(worker, table, 'b:2', ms);
  echo(worker, table, 'a:1', 4);
  const [a, b] = table.results();
  const sa = summarizeEncoded([a?.histogram ?? '']);
  const sb = summarizeEncoded([b?.histogram ?? '']);
  assert.equal(sa.count, 4);
  assert.equal(sb.count, 2);
  assert.ok(sa.max < 5_000, `a's echoes only: max ${sa.max} µs`);
  assert.ok(sb.min >= 49_900, `b's echoes only: min ${sb.min} µs`);
  assert.equal(sa.count + sb.count, summarizeEncoded([a?.histogram ?? '', b?.histogram ?? '']).count);
  table.destroy();
  worker.destroy();
});

test('without the worker histogram every backend records its own', () => {
  const worker = createLatencyHistogram();
  const table = new BackendTable();
  echo(worker, table, 'a:1', 7);
  assert.equal(table.of('a:1').recordsLatency, true);
  assert.equal(summarizeEncoded([table.results()[0]?.histogram ?? '']).count, 1);
  table.destroy();
  worker.destroy();
});
