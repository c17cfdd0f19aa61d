import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { parseThreshold } from '../../src/check/parse-threshold.js';
import { ConfigError } from '../../src/errors.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { renderMarkdownReport } from '../../src/report/markdown-report.js';
import { renderRunSummary } from '../../src/report/run-summary.js';
import { metricByName } from '../../src/results/metric-definitions.js';
import { summarizeEncoded } from '../../src/stats/histogram.js';
import type { BackendMetrics, RunRecord } from '../../src/types.js';
import { encodeValues, initHistograms, runFile, syntheticRun } from '../helpers/synthetic-results.js';

before(() => initHistograms());

function withBackends(run: RunRecord, rates: Record<string, number>): RunRecord {
  const histograms: Record<string, string> = {};
  const backends: BackendMetrics[] = Object.entries(rates).map(([backend, msgsPerS], i) => {
    histograms[backend] = encodeValues(Array.from({ length: 100 }, (_, k) => 100 * (i + 1) + k));
    return { backend, streamsOpened: 4, received: 100, msgsPerS, latencyUs: summarizeEncoded([histograms[backend] as string]), errorsByStatus: i === 2 ? { UNAVAILABLE: 4 } : {} };
  });
  return { ...run, config: { ...run.config, lb: 'round_robin' }, metrics: { ...run.metrics, backends }, histograms: { ...run.histograms, backendsUs: histograms } };
}

const rates = { '127.0.0.1:1': 900, '127.0.0.1:2': 1000, '127.0.0.1:3': 1100 };

test('the run summary has a per-backend table and the imbalance with two backends or more', () => {
  const text = renderRunSummary(withBackends(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }), rates));
  assert.match(text, /backend\s+streams\s+echoes\s+msgs\/s\s+p50\s+p99\s+p99\.9\s+errors/);
  assert.match(text, /127\.0\.0\.1:3\s+4\s+100\s+1,100\s+.*UNAVAILABLE ×4/);
  assert.match(text, /backends\s+3 · lb round_robin · imbalance 20\.0% \(\(max − min\) \/ mean/);
  const single = renderRunSummary(withBackends(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }), { '127.0.0.1:1': 3000 }));
  assert.doesNotMatch(single, /^backend\s+streams/m);
});

test('markdown and HTML reports show the backends, HTML with a bar chart of msgs/s', () => {
  const file = runFile(withBackends(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }), rates));
  const md = renderMarkdownReport([{ file, source: 'r.json' }]);
  assert.match(md, /### Per backend\n\n\| backend \| streams \| echoes \| msgs\/s \|/);
  assert.match(md, /\| 127\.0\.0\.1:2 \| 4 \| 100 \| 1,000 \|/);
  assert.match(md, /imbalance 20\.0%/);
  const html = renderHtmlReport([{ file, source: 'r.json' }]);
  assert.match(html, /<h3>Per backend<\/h3>/);
  const bars = [...html.matchAll(/<rect [^>]*data-value="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(bars, [900, 1000, 1100]);
  assert.match(html, /data-chart="backend-msgs"/);
  const plain = renderMarkdownReport([{ file: runFile(syntheticRun({ msgsPerS: 3000, latencyUs: 200 })), source: 'old.json' }]);
  assert.doesNotMatch(plain, /Per backend/);
});

test('the HTML report draws msgs/s per backend over time, when the time series has two backends', () => {
  const run = withBackends(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }), rates);
  // Backend 3 goes silent in second 3.
  const timeSeries = [1, 2, 3].map((second) => ({ second, warmup: false, msgsPerS: 30, p50Us: 100, p99Us: 200, errors: 0, backends: { '127.0.0.1:1': 10, '127.0.0.1:2': 10, '127.0.0.1:3': second === 3 ? 0 : 10 } }));
  const html = renderHtmlReport([{ file: runFile({ ...run, timeSeries }), source: 'r.json' }]);
  const chart = /<svg [^>]*data-chart="backends-over-time"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  assert.notEqual(chart, '', 'a per-backend chart');
  for (const backend of Object.keys(rates)) assert.ok(chart.includes(backend), `${backend} in the legend`);
  assert.match(chart, /msgs\/s per backend/);
  const one = renderHtmlReport([{ file: runFile({ ...run, timeSeries: timeSeries.map((p) => ({ ...p, backends: { '127.0.0.1:1': 30 } })) }), source: 'r.json' }]);
  assert.doesNotMatch(one, /data-chart="backends-over-time"/, 'one backend: nothing to tell apart');
});

test('backend_imbalance: a percentage metric, NaN (not measured) without two backends', () => {
  const t = parseThreshold('backend_imbalance < 10%');
  assert.equal(t.kind === 'absolute' && t.limit, 10);
  assert.equal(parseThreshold('imbalance <= 5').kind, 'absolute');
  assert.throws(() => parseThreshold('backend_imbalance < 10ms'), (e: unknown) => e instanceof ConfigError && /backend_imbalance is a percentage: give a number with or without %/.test(e.message));
  const metric = metricByName('backend_imbalance');
  assert.equal(metric.of(withBackends(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }), rates)), 20);
  assert.ok(Number.isNaN(metric.of(syntheticRun({ msgsPerS: 3000, latencyUs: 200 }))));
  assert.match(metric.whenMissing ?? '', /at least two backends/);
});
