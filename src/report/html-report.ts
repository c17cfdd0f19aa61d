/**
 * The self-contained HTML report: inline CSS and inline SVG charts, no script and no external
 * resource, so it opens offline.
 */
import type { ResultsFile, RunRecord } from '../types.js';
import { formatBytes, formatCount, formatMicros } from './format.js';
import { cellHgrm, parseHgrm } from './hgrm.js';
import { buildReportSection, summaryRows, SUMMARY_HEADER, windowLabel, type HeatTable, type ReportCell, type ReportSection } from './report-model.js';
import { escapeXml, percentileTicks, renderLineChart, type ChartSeries, type LineChartOptions } from './svg-chart.js';
import { renderBarChart } from './svg-bar-chart.js';
import { BACKEND_HEADER, backendRows, describeImbalance } from './backend-table.js';
import { mergeEncodedToEncoded, percentileDistributionText } from '../stats/histogram.js';
import { HGRM_UNIT_RATIO } from './hgrm.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1320px;color:#222;padding:0 16px}
h1{font-size:24px}h2{font-size:20px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:36px}h3{font-size:16px;margin-top:24px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}table.kv td{text-align:left}th{background:#f6f6f6}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #e4e4e4;max-width:100%;height:auto}
.chart-title{font-size:13px;font-weight:600}.tick{font-size:11px;fill:#555}.axis-label{font-size:12px;fill:#333}.legend{font-size:11px}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:320px}.notes li{margin:2px 0}.muted{color:#666}
`;

const esc = escapeXml;

function kvTable(rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Background colour: green for the best value of the table, red for the worst. */
export function heatColour(value: number, min: number, max: number, higherIsBetter: boolean): string {
  if (!Number.isFinite(value)) return '#fafafa';
  const t = max > min ? (value - min) / (max - min) : 1;
  const good = higherIsBetter ? t : 1 - t;
  return `hsl(${Math.round(good * 120)},70%,82%)`;
}

function heatTableHtml(t: HeatTable): string {
  const finite = t.values.flat().filter(Number.isFinite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const format = (v: number): string => (Number.isFinite(v) ? (t.metric === 'p99' ? formatMicros(v) : formatCount(v)) : '—');
  const head = `<tr><th>size \\ window</th>${t.windows.map((w) => `<th>${esc(windowLabel(w))}</th>`).join('')}</tr>`;
  const body = t.sizes
    .map(
      (size, i) =>
        `<tr><th>${esc(formatBytes(size))}</th>${(t.values[i] ?? [])
          .map((v) => `<td style="background:${heatColour(v, min, max, t.metric !== 'p99')}">${esc(format(v))}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  return `<div><h4>${esc(t.metric === 'p99' ? 'p99 latency' : 'msgs/s')} · ${esc(t.title)}</h4><table class="heat" data-metric="${t.metric}">${head}${body}</table></div>`;
}

function percentileSeries(name: string, hgrm: string, thin = false): ChartSeries {
  const points = parseHgrm(hgrm)
    .filter((p) => p.inverse !== null)
    .map((p) => [p.inverse as number, p.value] as const);
  return { name, points, thin };
}

function percentileChart(rc: ReportCell): string {
  const merged = cellHgrm(rc.cell);
  if (merged === null) return '';
  const series: ChartSeries[] = [];
  const openLoop = rc.cell.config.rate !== null;
  const name = rc.cell.runs.length > 1 ? `all ${rc.cell.runs.length} repetitions` : 'latency';
  series.push(percentileSeries(openLoop ? `${name}, from intended send time` : name, merged));
  // Open loop: the same echoes measured from their actual send time, to show what coordinated omission would hide.
  const uncorrected = rc.cell.runs.map((r) => r.histograms.latencyUncorrectedUs).filter((h): h is string => h !== null);
  if (openLoop && uncorrected.length > 0) {
    series.push(percentileSeries('uncorrected (from actual send time)', percentileDistributionText(mergeEncodedToEncoded(uncorrected), HGRM_UNIT_RATIO)));
  }
  if (rc.cell.runs.length > 1) {
    rc.cell.runs.slice(0, 9).forEach((run, i) => series.push(percentileSeries(`repetition ${i + 1}`, percentileDistributionText(run.histograms.latencyUs, HGRM_UNIT_RATIO), true)));
  }
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x)));
  return renderLineChart(series, {
    kind: 'percentiles',
    title: `Latency by percentile · ${rc.label}`,
    xLabel: 'percentile (log scale of 1/(1−p))',
    yLabel: 'latency (ms)',
    xLog: true,
    xTicks: percentileTicks(maxX),
    yFormat: (v) => `${Number(v.toPrecision(3))}`,
  });
}

function overTimeCharts(rc: ReportCell): string {
  const runs = rc.cell.runs.slice(0, 10);
  if (runs.every((r) => r.timeSeries.length === 0)) return '';
  const name = (i: number): string => (runs.length > 1 ? `repetition ${i + 1}` : rc.label);
  const series = (pick: (p: RunRecord['timeSeries'][number]) => number): ChartSeries[] =>
    runs.map((run, i) => ({ name: name(i), points: run.timeSeries.map((p) => [p.second, pick(p)] as const) }));
  const warmup = rc.cell.config.warmupS;
  const shade = warmup > 0 ? { from: 0, to: warmup, label: 'warm-up (not measured)' } : undefined;
  // Outages of the first repetition that knows its start, in seconds since that start.
  const placed = runs.find((r) => r.timeSeriesStartMs != null && (r.metrics.resilience?.outages.length ?? 0) > 0);
  const bands = (placed?.metrics.resilience?.outages ?? []).map((o) => ({
    from: (o.startMs - (placed?.timeSeriesStartMs as number)) / 1000,
    to: (o.endMs - (placed?.timeSeriesStartMs as number)) / 1000,
    label: `outage ${((o.endMs - o.startMs) / 1000).toFixed(2)} s${o.ongoing ? ' (still going at the end)' : ''}: ${o.streams} stream(s) down, ${o.reconnects} reconnects, ${o.lost} lost`,
  }));
  const common = { xLabel: 'seconds since start', xFormat: (v: number) => `${v}`, shade, bands };
  return (
    renderLineChart(series((p) => p.msgsPerS), { ...common, kind: 'throughput', title: `Throughput · ${rc.label}`, yLabel: 'msgs/s', yFormat: (v) => formatCount(v) }) +
    renderLineChart(series((p) => p.p99Us / 1000), { ...common, kind: 'p99-over-time', title: `p99 latency · ${rc.label}`, yLabel: 'p99 (ms)', yFormat: (v) => `${Number(v.toPrecision(3))}` }) +
    backendsOverTime(runs[0] as RunRecord, rc.label, common)
  );
}

/** Most backends drawn as lines of their own; the others are left out (the title says so). */
const MAX_BACKEND_LINES = 8;

/**
 * msgs/s of each backend, second by second (one repetition: the first), when it had two or more:
 * an outage or a drift in balance shows where it happened. '' otherwise.
 */
function backendsOverTime(run: RunRecord, label: string, common: Omit<LineChartOptions, 'kind' | 'title' | 'yLabel' | 'yFormat'>): string {
  const totals = new Map<string, number>();
  for (const point of run.timeSeries) for (const [backend, n] of Object.entries(point.backends ?? {})) totals.set(backend, (totals.get(backend) ?? 0) + n);
  if (totals.size < 2) return '';
  const drawn = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_BACKEND_LINES).map(([backend]) => backend).sort((a, b) => a.localeCompare(b));
  const left = totals.size - drawn.length;
  const series: ChartSeries[] = drawn.map((backend) => ({ name: backend, points: run.timeSeries.map((p) => [p.second, p.backends?.[backend] ?? 0] as const) }));
  const title = `msgs/s per backend · ${label}${left > 0 ? ` (the ${drawn.length} busiest of ${totals.size})` : ''}`;
  return renderLineChart(series, { ...common, kind: 'backends-over-time', title, yLabel: 'msgs/s', yFormat: (v) => formatCount(v) });
}

export function renderSectionHtml(section: ReportSection): string {
  const out: string[] = [`<section class="results"><h2>${esc(section.title)}</h2>`];
  out.push('<h3>Environment</h3>', kvTable(section.environment));
  out.push('<h3>Configuration</h3>', kvTable(section.config));
  if (section.definition !== null && section.definition !== undefined) out.push(`<details><summary>profile definition</summary><pre>${esc(JSON.stringify(section.definition, null, 2))}</pre></details>`);
  out.push('<h3>Summary</h3>', table(SUMMARY_HEADER, summaryRows(section), 'summary'));
  out.push('<p class="muted">msgs/s and latency percentiles are medians of the repetitions (± = farthest repetition from the median); max is the largest, errors the sum.</p>');
  if (section.heatTables.length > 0) out.push('<h3>Size × window</h3><div class="charts">', ...section.heatTables.map(heatTableHtml), '</div>');
  out.push('<h3>Latency percentile distribution</h3><p class="muted">x axis: 1/(1−p) on a log scale, as HdrHistogram\'s plotter draws it, so p99.9 and p99.99 are readable.</p><div class="charts">');
  out.push(...section.cells.map(percentileChart));
  out.push('</div><h3>Throughput and p99 over time</h3><div class="charts">', ...section.cells.map(overTimeCharts), '</div>');
  if (section.backends.length > 0) {
    out.push('<h3>Per backend</h3>');
    for (const { label, backends } of section.backends) {
      out.push(table(BACKEND_HEADER, backendRows(backends), 'backends'));
      out.push(`<p class="muted">${esc(describeImbalance(backends))}</p>`);
      out.push(renderBarChart(backends.map((b) => ({ label: b.backend, value: b.msgsPerS })), { title: `msgs/s per backend · ${label}`, kind: 'backend-msgs', valueFormat: (v) => formatCount(v) }));
    }
  }
  if (section.notes.length > 0) out.push(`<h3>Notes</h3><ul class="notes">${section.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  out.push('</section>');
  return out.join('\n');
}

export function renderHtmlReport(files: readonly { file: ResultsFile; source: string }[]): string {
  const sections = files.map(({ file, source }) => renderSectionHtml(buildReportSection(file, source)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>grpc-stream-bench report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>grpc-stream-bench report</h1>
${sections.join('\n')}
</body>
</html>
`;
}
