/**
 * The run-side exporter in process, scraped over HTTP: the events run and sweep send it are
 * built here (ticks with real encoded histograms, merged by liveSecond as the main thread does).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { liveSecond } from '../../src/load/run-load.js';
import { startPrometheusExporter } from '../../src/observe/prometheus/exporter.js';
import { findSamples, sampleValue } from '../helpers/parse-exposition.js';
import { baseConfig, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import { tick } from '../helpers/progress-ticks.js';
import { checkWithPromtool, scrape } from '../helpers/prometheus.js';

before(() => initHistograms());

const P = 'grpc_stream_bench_';
const LABELS = { engine: 'h2', target: 'embedded', compression: 'identity', size: '16', cell: '' };

test('the exporter serves /metrics on a free loopback port; values grow as seconds arrive', async (t) => {
  const exporter = await startPrometheusExporter({ port: 0 });
  try {
    assert.match(exporter.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    exporter.runStarted?.({ config: baseConfig({ compression: 'identity', size: 16 }), cellId: null, repetition: null });
    exporter.second?.(liveSecond([tick(0, 1, [80, 90, 400]), tick(1, 1, [600])], 0.9));
    const first = await scrape(exporter.url);
    assert.equal(sampleValue(first.exposition, `${P}messages_echoed_total`, LABELS), 4);
    assert.equal(sampleValue(first.exposition, `${P}latency_seconds_bucket`, { ...LABELS, le: '0.0001' }), 2);
    assert.equal(sampleValue(first.exposition, `${P}latency_seconds_bucket`, { ...LABELS, le: '0.0005' }), 3);
    assert.equal(sampleValue(first.exposition, `${P}messages_per_second`, LABELS), 4);
    checkWithPromtool(t, first.text);

    exporter.second?.(liveSecond([tick(0, 2, [70]), tick(1, 2, [3_000, 4_000])], 1.1));
    const second = await scrape(exporter.url);
    assert.equal(sampleValue(second.exposition, `${P}messages_echoed_total`, LABELS), 7);
    assert.equal(sampleValue(second.exposition, `${P}latency_seconds_bucket`, { ...LABELS, le: '0.0001' }), 3);
    assert.equal(sampleValue(second.exposition, `${P}latency_seconds_bucket`, { ...LABELS, le: '0.005' }), 7);
    assert.equal(sampleValue(second.exposition, `${P}latency_seconds_count`, LABELS), 7);
    assert.equal(sampleValue(second.exposition, `${P}messages_per_second`, LABELS), 3);
    assert.equal(sampleValue(second.exposition, `${P}generator_cpu_cores`, LABELS), 1.1);

    exporter.runFinished?.(syntheticRun({ msgsPerS: 3, latencyUs: 100, config: { compression: 'identity', size: 16 } }));
    exporter.finished?.('results/x.json');
    const after = await scrape(exporter.url);
    assert.equal(sampleValue(after.exposition, `${P}runs_total`, { ...LABELS, outcome: 'completed' }), 1);
    assert.deepEqual(findSamples(after.exposition, `${P}messages_per_second`), []);

    const notFound = await fetch(exporter.url.replace('/metrics', '/other'));
    assert.equal(notFound.status, 404);
    await notFound.text();
    const post = await fetch(exporter.url, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.text();
  } finally {
    await exporter.close();
  }
  await assert.rejects(fetch(exporter.url), 'nothing listens after close()');
});

test('close() returns while a scraper holds a keep-alive connection', async () => {
  const exporter = await startPrometheusExporter({ port: 0, host: '127.0.0.1' });
  const response = await fetch(exporter.url, { headers: { connection: 'keep-alive' } });
  await response.text();
  await exporter.close();
});

test('a busy port is an error naming the address', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const { port } = busy.address() as { port: number };
  try {
    await assert.rejects(startPrometheusExporter({ port }), (e: unknown) => e instanceof ConfigError && e.message === `Prometheus metrics: port ${port} on 127.0.0.1 is already in use (EADDRINUSE); use another port, or 0 for a free one`);
  } finally {
    busy.close();
  }
});
