/** The report of results files as text: Markdown or self-contained HTML (pure once the files are read). */
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadResults, type LoadedResults } from '../results/results-input.js';
import { initHistograms } from '../stats/histogram.js';
import { renderHtmlReport } from './html-report.js';
import { renderMarkdownReport } from './markdown-report.js';

export const REPORT_FORMATS = ['md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format an --out path asks for by its extension (none: Markdown on stdout). */
export function reportFormatOfPath(out: string | undefined): ReportFormat {
  const format = out === undefined ? 'md' : extname(out).toLowerCase().replace(/^\./, '');
  if (format === 'md' || format === 'markdown') return 'md';
  if (format === 'html' || format === 'htm') return 'html';
  throw new ConfigError(`--out ${out} must end in .md or .html (the extension chooses the format)`);
}

export function checkReportFormat(format: unknown): ReportFormat {
  if (format === undefined) return 'md';
  if (typeof format === 'string' && (REPORT_FORMATS as readonly string[]).includes(format)) return format as ReportFormat;
  throw new ConfigError(`format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
}

/** Renders read results files. */
export function renderReport(files: readonly LoadedResults[], format: ReportFormat): string {
  return format === 'html' ? renderHtmlReport(files) : renderMarkdownReport(files);
}

/** Reads (or validates) the results and renders them. */
export async function buildReport(inputs: readonly unknown[], format: ReportFormat, label = 'files'): Promise<{ files: LoadedResults[]; text: string }> {
  if (inputs.length === 0) throw new ConfigError('report needs at least one results file (a path or a results document)');
  const files = loadResults(inputs, label);
  await initHistograms();
  return { files, text: renderReport(files, format) };
}
