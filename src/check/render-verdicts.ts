/** The check verdict table: terminal and Markdown ($GITHUB_STEP_SUMMARY). */
import { renderTable } from '../report/format.js';
import { markdownTable } from '../report/markdown-table.js';
import { SIGNIFICANCE_ALPHA } from '../stats/significance.js';
import type { CheckOutcome } from './evaluate-thresholds.js';

const HEADER = ['threshold', 'cell', 'verdict', 'observed', 'why'];

export function summaryLine(outcome: CheckOutcome): string {
  const total = outcome.verdicts.length;
  return outcome.failed === 0 ? `check passed: all ${total} threshold checks passed` : `check failed: ${outcome.failed} of ${total} threshold checks failed`;
}

/**
 * With relative thresholds over more than one cell, how many checks a run of nothing-changed
 * would flag by chance: each tested check shows a significant regression with probability up
 * to α/2 (one direction of the two-sided test). Null for one cell or no relative threshold.
 */
export function chanceNote(outcome: CheckOutcome): string | null {
  const relative = outcome.verdicts.filter((v) => v.kind === 'relative');
  if (new Set(relative.map((v) => v.cell)).size <= 1) return null;
  const tested = relative.filter((v) => v.significance !== null);
  const flagged = tested.filter((v) => v.significance === 'significant').length;
  const expected = tested.length * (SIGNIFICANCE_ALPHA / 2);
  return (
    `${flagged} of ${tested.length} relative check${tested.length === 1 ? '' : 's'} found a significant regression; if nothing changed, about ${expected < 1 ? expected.toFixed(1) : Math.round(expected)} would by chance (α = ${SIGNIFICANCE_ALPHA.toFixed(2)}, ${(SIGNIFICANCE_ALPHA / 2).toFixed(2)} per check in the regression direction)` +
    ' — confirm a lone FAIL with check --ab (interleaved) or more repetitions before trusting it.'
  );
}

export function renderVerdictsText(outcome: CheckOutcome, context: readonly string[] = []): string {
  const rows = outcome.verdicts.map((v) => [`"${v.threshold}"`, v.cell, v.verdict, v.observed, v.reason]);
  const chance = chanceNote(outcome);
  return [...context, ...(context.length > 0 ? [''] : []), renderTable(HEADER, rows), '', ...(chance === null ? [] : [chance, '']), summaryLine(outcome)].join('\n');
}

export function renderVerdictsMarkdown(outcome: CheckOutcome, context: readonly string[] = []): string {
  const icon = outcome.failed === 0 ? '✅' : '❌';
  const rows = outcome.verdicts.map((v) => [`\`${v.threshold}\``, `\`${v.cell}\``, `${v.pass ? '✅' : '❌'} ${v.verdict}`, v.observed, v.reason]);
  const chance = chanceNote(outcome);
  return [
    `### ${icon} grpc-stream-bench ${summaryLine(outcome)}`,
    '',
    ...context.map((c) => `- ${c}`),
    ...(context.length > 0 ? [''] : []),
    markdownTable(HEADER, rows, 3),
    '',
    ...(chance === null ? [] : [chance, '']),
  ].join('\n');
}
