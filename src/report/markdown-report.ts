/** The Markdown report of one or more results files. */
import { formatBytes, formatCount, formatMicros } from './format.js';
import { markdownTable } from './markdown-table.js';
import { BACKEND_HEADER, backendRows, describeImbalance } from './backend-table.js';
import { buildReportSection, summaryRows, SUMMARY_HEADER, windowLabel, type HeatTable, type ReportSection } from './report-model.js';
import type { ResultsFile } from '../types.js';

function heatTableMarkdown(t: HeatTable): string {
  const format = (v: number): string => (Number.isFinite(v) ? (t.metric === 'p99' ? formatMicros(v) : formatCount(v)) : '—');
  const header = [`size \\ window`, ...t.windows.map(windowLabel)];
  const rows = t.sizes.map((size, i) => [formatBytes(size), ...(t.values[i] ?? []).map(format)]);
  return [`**${t.metric === 'p99' ? 'p99 latency' : 'msgs/s'} · ${t.title}**`, '', markdownTable(header, rows, 1)].join('\n');
}

export function renderSectionMarkdown(section: ReportSection): string {
  const out: string[] = [`## ${section.title}`, ''];
  out.push('### Environment', '', markdownTable(['', ''], section.environment, 2), '');
  out.push('### Configuration', '', markdownTable(['setting', 'value'], section.config, 2), '');
  if (section.definition !== null && section.definition !== undefined) out.push('<details><summary>profile definition</summary>', '', '```json', JSON.stringify(section.definition, null, 2), '```', '', '</details>', '');
  out.push('### Summary', '', markdownTable(SUMMARY_HEADER, summaryRows(section), 1), '');
  out.push('msgs/s and latency percentiles are medians of the repetitions (± = farthest repetition from the median); max is the largest, errors the sum.', '');
  if (section.heatTables.length > 0) {
    out.push('### Size × window', '');
    for (const t of section.heatTables) out.push(heatTableMarkdown(t), '');
  }
  if (section.backends.length > 0) {
    out.push('### Per backend', '');
    for (const { label, backends } of section.backends) {
      if (section.cells.length > 1) out.push(`**${label}**`, '');
      out.push(markdownTable(BACKEND_HEADER, backendRows(backends), 1), '', `${describeImbalance(backends)}; msgs/s is the median of the repetitions.`, '');
    }
  }
  if (section.notes.length > 0) out.push('### Notes', '', ...section.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

export function renderMarkdownReport(files: readonly { file: ResultsFile; source: string }[]): string {
  const sections = files.map(({ file, source }) => renderSectionMarkdown(buildReportSection(file, source)));
  return [`# grpc-stream-bench report`, '', ...sections, '_Charts (latency percentile distributions, throughput and p99 over time) are in the HTML report: `report FILE --out report.html`._', ''].join('\n');
}
