import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellHgrm, cellHistogram, hgrmFileName, parseHgrm } from '../../src/report/hgrm.js';
import { aggregateCells, mergedLatencyHistogram } from '../../src/stats/aggregate-cell.js';
import { heatColour, renderHtmlReport } from '../../src/report/html-report.js';
import { renderMarkdownReport } from '../../src/report/markdown-report.js';
import { niceTicks, percentileTicks } from '../../src/report/svg-chart.js';
import { cellsOf } from '../../src/results/cell-samples.js';
import { summarizeEncoded } from '../../src/stats/histogram.js';
import { reportSweep } from '../helpers/report-fixtures.js';
import { initHistograms, runFile, syntheticRun } from '../helpers/synthetic-results.js';

await initHistograms();
const sweep = reportSweep();
const run = runFile(syntheticRun({ msgsPerS: 12_345, latencyUs: 250 }));

describe('Markdown report', () => {
  const md = renderMarkdownReport([
    { file: run, source: 'run.json' },
    { file: sweep, source: 'sweep.json' },
  ]);
  it('has environment, configuration and summary of each file', () => {
    assert.match(md, /^# grpc-stream-bench report/);
    assert.match(md, /## run · run\.json/);
    assert.match(md, /## sweep "quick" · sweep\.json/);
    assert.match(md, /\| node \/ grpc-js \| v20\.20\.2 \/ 1\.14\.7 \|/);
    assert.match(md, /\| message size \| 16 B \|/);
    assert.match(md, /\| varies by cell \| message size, compression, flow-control window \|/);
    assert.match(md, /\| cell \| reps \| msgs\/s \| MiB\/s \| p50 \| p90 \| p99 \| p99\.9 \| p99\.99 \| max \| errors \|/);
    assert.match(md, /\| engine=h2,streams=1,inFlight=1,size=16,compression=identity,window=default \| 1 \| 12,345 \|/);
  });
  it('has a size × window table per compression, and the compression note', () => {
    assert.match(md, /\*\*msgs\/s · compression=identity\*\*/);
    assert.match(md, /\*\*p99 latency · compression=gzip\*\*/);
    assert.match(md, /\| size \\ window \| 65535 B \| 1 MiB \|\n\| --- \| ---: \| ---: \|\n\| 16 B \| 125,900 \| 150,900 \|/);
    assert.match(md, /never compresses its responses/);
  });
});

describe('HTML report', () => {
  const html = renderHtmlReport([{ file: sweep, source: 'sweep.json' }]);
  it('is self-contained: no external resource, no script', () => {
    assert.doesNotMatch(html, /<script|<link|src="http|href="http|url\(http|@import/i);
  });
  it('has a percentile chart per cell and throughput and p99 over time', () => {
    assert.equal(html.match(/data-chart="percentiles"/g)?.length, sweep.cells.length);
    assert.equal(html.match(/data-chart="throughput"/g)?.length, sweep.cells.length);
    assert.equal(html.match(/data-chart="p99-over-time"/g)?.length, sweep.cells.length);
    assert.match(html, />99\.9%<\/text>/);
  });
  it('open loop: the percentile chart also draws the uncorrected latency; closed loop does not', () => {
    const closed = renderHtmlReport([{ file: run, source: 'closed.json' }]);
    assert.doesNotMatch(closed, /uncorrected/);
    const base = syntheticRun({ msgsPerS: 1_000, latencyUs: 400, config: { rate: 1_000 } });
    const actual = syntheticRun({ msgsPerS: 1_000, latencyUs: 100, seed: 2 });
    const open = runFile({ ...base, histograms: { ...base.histograms, latencyUncorrectedUs: actual.histograms.latencyUs } });
    const html = renderHtmlReport([{ file: open, source: 'open.json' }]);
    assert.match(html, /from intended send time/);
    assert.match(html, /uncorrected \(from actual send time\)/);
  });
  it('shades outages on the throughput and p99 charts, and only when there were some', () => {
    const steady = syntheticRun({ msgsPerS: 1_000, latencyUs: 200 });
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const outage = { startMs: start + 2_000, endMs: start + 3_310, ongoing: false, streams: 4, reconnects: 9, lost: 16 };
    const broken = {
      ...steady,
      timeSeriesStartMs: start,
      metrics: { ...steady.metrics, resilience: { outages: [outage], longestOutageS: 1.31, meanRecoveryS: 1.2, reconnects: 9, lost: 16, breakerTransitions: [] } },
    };
    const html = renderHtmlReport([{ file: runFile(broken), source: 'outage.json' }]);
    const bands = html.match(/<rect class="band"[^>]*><title>outage 1\.31 s: 4 stream\(s\) down, 9 reconnects, 16 lost<\/title>/g) ?? [];
    assert.equal(bands.length, 2, 'one band on each chart over time');
    assert.doesNotMatch(renderHtmlReport([{ file: runFile(steady), source: 'steady.json' }]), /class="band"/);
  });

  it('colour-scales the size × window tables', () => {
    assert.equal(html.match(/<table class="heat"/g)?.length, 4);
    assert.match(html, /background:hsl\(120,70%,82%\)/);
    assert.match(html, /background:hsl\(0,70%,82%\)/);
  });
  it('heatColour: best green, worst red, lower-is-better reversed', () => {
    assert.equal(heatColour(10, 0, 10, true), 'hsl(120,70%,82%)');
    assert.equal(heatColour(10, 0, 10, false), 'hsl(0,70%,82%)');
    assert.equal(heatColour(Number.NaN, 0, 10, true), '#fafafa');
  });
});

describe('.hgrm', () => {
  const cell = cellsOf(run, 'run.json')[0]!;
  const text = cellHgrm(cell)!;
  it("follows HdrHistogram's outputPercentileDistribution layout", () => {
    const lines = text.split('\n');
    assert.equal(lines[0], '       Value     Percentile TotalCount 1/(1-Percentile)');
    assert.equal(lines[1], '');
    assert.match(lines[2]!, /^[ \d]{8}\.\d{3} 0\.000000000000 [ \d]{10} {11}1\.00$/);
    assert.match(text, /\n#\[Mean    = +\d+\.\d{3}, StdDeviation   = +\d+\.\d{3}\]\n#\[Max     = +\d+\.\d{3}, Total count    = +\d+\]\n#\[Buckets = +\d+, SubBuckets     = +\d+\]\n$/);
  });
  it('holds the run histogram in milliseconds', () => {
    const points = parseHgrm(text);
    const summary = summarizeEncoded([run.run.histograms.latencyUs]);
    const last = points[points.length - 1]!;
    assert.equal(last.percentile, 1);
    assert.equal(last.inverse, null);
    assert.equal(last.totalCount, summary.count);
    assert.ok(Math.abs(last.value - summary.max / 1000) < 0.001);
    const median = points.find((p) => p.percentile >= 0.5)!;
    assert.ok(Math.abs(median.value - summary.p50 / 1000) < 0.001);
  });
  it("is each cell's histogram merged as the sweep aggregate merges it", () => {
    const aggregates = aggregateCells(sweep.cells.map((c) => c.id), sweep.repetitions);
    const cells = cellsOf(sweep, 'sweep.json');
    assert.deepEqual(
      cells.map((c) => cellHistogram(c)),
      aggregates.map((a) => a.histogram),
    );
    assert.equal(cellHistogram(cell), mergedLatencyHistogram(cell.runs));
    assert.equal(mergedLatencyHistogram([]), null);
  });
  it('names files after the cell', () => {
    assert.equal(hgrmFileName('', 'compression=gzip,size=16'), 'compression-gzip_size-16.hgrm');
    assert.equal(hgrmFileName('base', 'run'), 'base_run.hgrm');
  });
});

describe('chart axes', () => {
  it('niceTicks covers the maximum with round steps', () => assert.deepEqual(niceTicks(9.2), [0, 2, 4, 6, 8, 10]));
  it('percentile ticks are 1/(1−p) powers of ten', () => assert.deepEqual(percentileTicks(2000).map((t) => t.label), ['0%', '90%', '99%', '99.9%', '99.99%']));
});

describe('failures in the report', () => {
  it('errors by class and reason and the outages of a run are listed in the notes', () => {
    const base = syntheticRun({ msgsPerS: 1_000, latencyUs: 200 });
    const failing = {
      ...base,
      metrics: {
        ...base.metrics,
        counters: { ...base.metrics.counters, errorsByCategory: { transport: 3, rejected: 2 }, errorsByReason: { 'd/OVERLOADED': 2 }, lost: 7, reconnects: 9 },
        resilience: { outages: [{ startMs: 0, endMs: 1_500, ongoing: false, streams: 2, reconnects: 9, lost: 7 }], longestOutageS: 1.5, meanRecoveryS: 1, reconnects: 9, lost: 7, breakerTransitions: [] },
      },
    };
    const md = renderMarkdownReport([{ file: runFile(failing), source: 'failing.json' }]);
    assert.match(md, /- errors by class: transport ×3, rejected ×2; by reason: d\/OVERLOADED ×2; 1 outage\(s\), longest 1\.50 s, 9 reconnects, 7 lost/);
    assert.doesNotMatch(renderMarkdownReport([{ file: runFile(base), source: 'ok.json' }]), /errors by class/);
  });
});
