/**
 * The live page: one HTML document with its style and script inline, nothing fetched but
 * `/events` from its own origin. The Content-Security-Policy allows exactly that: the inline
 * script and style by their hashes, connections to 'self', nothing else.
 */
import { createHash } from 'node:crypto';
import { MAX_LIVE_SECONDS, type LiveKind } from './live-messages.js';
import { LIVE_PAGE_SCRIPT } from './live-page-script.js';

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #f6f7f9; }
header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; background: #1f2a37; color: #fff; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
#status { margin-left: auto; padding: 2px 10px; border-radius: 10px; background: #667; font-size: 13px; }
#status[data-status="live"] { background: #2e7d32; }
#status[data-status="reconnecting"] { background: #b26a00; }
#status[data-status="finished"] { background: #1565c0; }
#status[data-status="disconnected"] { background: #6d4c41; }
main { padding: 12px 20px 32px; max-width: 1400px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
#run-cell { font-weight: 600; }
#run-info { color: #444; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 8px; }
.tile { border: 1px solid #e3e6ea; border-radius: 6px; padding: 6px 10px; background: #fbfcfd; }
.tile .label { font-size: 12px; color: #666; }
.tile .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile .sub { font-size: 12px; color: #777; min-height: 1em; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
.chart-box h2 { margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .tick, svg.chart .legend { font-size: 12px; fill: #444; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e0e3e7; padding: 3px 8px; text-align: left; }
td.num { text-align: right; }
table.kv th { background: #f5f6f8; font-weight: 600; white-space: nowrap; }
table.sweep-table td { min-width: 120px; text-align: right; }
table.sweep-table td span { display: block; }
table.sweep-table td .p99, table.sweep-table td .reps { font-size: 12px; color: #666; }
table.sweep-table td.running { background: #fff6d6; outline: 2px solid #e0b000; }
table.sweep-table td.pending, table.sweep-table td.empty { color: #aaa; }
table.sweep-table td.done { background: #eef6ee; }
.sweep-line { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
#sweep-bar { width: 280px; }
.bad { color: #b00020; }
ul.warnings { color: #8a5a00; margin: 8px 0 0; }
#backends-table meter { width: 220px; }
#backends-imbalance { margin: 6px 0 0; color: #444; }
#results-path { font-size: 15px; background: #e8f0fe; border: 1px solid #b6cdf5; border-radius: 6px; padding: 8px 14px; margin: 12px 0; }
#results-path code { background: #eef1f5; padding: 2px 6px; border-radius: 4px; }
`;

const TILES: readonly (readonly [string, string])[] = [
  ['second', 'second'],
  ['msgsPerS', 'msgs/s'],
  ['p50', 'p50'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['errors', 'errors/s'],
  ['openStreams', 'open streams'],
  ['generatorCpu', 'generator CPU'],
  ['eventLoop', 'worker event loops'],
  ['sendLag', 'send lag'],
  ['reconnects', 'reconnects/s'],
  ['breakersOpen', 'circuit breakers'],
];

const CHARTS: readonly (readonly [string, string])[] = [
  ['throughput', 'Throughput (msgs/s)'],
  ['latency', 'Latency per second: p50, p99, p99.9 (log scale)'],
  ['errors', 'Errors per second, by category'],
];

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface LivePageDocument {
  html: string;
  /** The Content-Security-Policy header to serve it with. */
  csp: string;
}

export function renderLivePage(kind: LiveKind): LivePageDocument {
  const title = kind === 'sweep' ? 'live sweep' : 'live run';
  const tiles = TILES.map(
    ([key, label]) => `<div class="tile" data-figure="${key}" data-value=""><div class="label">${label}</div><div class="value">–</div><div class="sub"></div></div>`,
  ).join('\n');
  const charts = CHARTS.map(
    ([key, label]) => `<div class="chart-box"><h2>${label}</h2><svg class="chart" id="chart-${key}" data-chart="${key}" data-points="0" viewBox="0 0 640 240" role="img" aria-label="${label}"></svg></div>`,
  ).join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>grpc-stream-bench ${title}</title>
<style>${STYLE}</style>
</head>
<body data-kind="${kind}" data-phase="waiting" data-max-seconds="${MAX_LIVE_SECONDS}">
<header><h1>grpc-stream-bench · ${title}</h1><span id="run-cell"></span><span id="status" data-status="connecting">connecting…</span></header>
<main>
<p id="results-path" hidden></p>
<section id="sweep" hidden>
<h2>Sweep</h2>
<div class="sweep-line"><progress id="sweep-bar" max="1" value="0"></progress><span id="sweep-count"></span><span id="sweep-eta"></span></div>
<p id="sweep-now"></p>
<div id="sweep-tables"></div>
</section>
<section id="now">
<h2>Current run</h2>
<p id="run-info">Waiting for the load to start…</p>
<div class="tiles">
${tiles}
</div>
</section>
<section id="backends" hidden>
<h2>Per backend, last second</h2>
<table id="backends-table"><thead><tr><th>backend</th><th>msgs/s</th><th>share</th><th></th></tr></thead><tbody id="backends-body"></tbody></table>
<p id="backends-imbalance"></p>
</section>
<div class="charts">
${charts}
</div>
<section id="errors">
<h2>Errors by category</h2>
<p id="errors-none">No errors.</p>
<table id="errors-table" hidden><thead><tr><th>category</th><th>this second</th><th>total</th></tr></thead><tbody id="errors-body"></tbody></table>
</section>
<section id="result" hidden>
<h2 id="result-title">Result</h2>
<div id="result-body"></div>
</section>
</main>
<script>${LIVE_PAGE_SCRIPT}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(LIVE_PAGE_SCRIPT)}`,
    `style-src ${cspHash(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
