/** The check verdict table: terminal and Markdown ($GITHUB_STEP_SUMMARY). */
import { renderTable } from '../report/format.js';
import { markdownTable } from '../report/markdown-table.js';
import type { CheckOutcome } from './evaluate-thresholds.js';

const HEADER = ['threshold', 'cell', 'verdict', 'observed', 'why'];

export function summaryLine(outcome: CheckOutcome): string {
  const total = outcome.verdicts.length;
  return outcome.failed === 0 ? `check passed: all ${total} threshold checks passed` : `check failed: ${outcome.failed} of ${total} threshold checks failed`;
}

export function renderVerdictsText(outcome: CheckOutcome, context: readonly string[] = []): string {
  const rows = outcome.verdicts.map((v) => [`"${v.threshold}"`, v.cell, v.verdict, v.observed, v.reason]);
  return [...context, ...(context.length > 0 ? [''] : []), renderTable(HEADER, rows), '', summaryLine(outcome)].join('\n');
}

export function renderVerdictsMarkdown(outcome: CheckOutcome, context: readonly string[] = []): string {
  const icon = outcome.failed === 0 ? '✅' : '❌';
  const rows = outcome.verdicts.map((v) => [`\`${v.threshold}\``, `\`${v.cell}\``, `${v.pass ? '✅' : '❌'} ${v.verdict}`, v.observed, v.reason]);
  return [`### ${icon} grpc-stream-bench ${summaryLine(outcome)}`, '', ...context.map((c) => `- ${c}`), ...(context.length > 0 ? [''] : []), markdownTable(HEADER, rows, 3), ''].join('\n');
}
