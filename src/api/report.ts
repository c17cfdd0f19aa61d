import { buildReport, checkReportFormat, type ReportFormat } from '../report/build-report.js';
import type { ResultsInput } from '../results/results-input.js';
import { checkKnownOptions, type OptionNames } from './known-options.js';

export interface ReportOptions {
  /** Results files (paths) or documents (what run() and sweep() return). */
  files: ResultsInput | readonly ResultsInput[];
  /** 'md' (Markdown) or 'html' (self-contained, charts inline) [default: 'md']. */
  format?: ReportFormat;
}

const REPORT_OPTION_NAMES: OptionNames<ReportOptions> = { files: true, format: true };

/** The report `grpc-stream-bench report` writes, as a string. */
export async function report(options: ReportOptions): Promise<string> {
  checkKnownOptions('report', options, REPORT_OPTION_NAMES);
  const format = checkReportFormat(options.format);
  const files = Array.isArray(options.files) ? options.files : [options.files];
  return (await buildReport(files, format)).text;
}
