/** Compare output: terminal table, Markdown and JSON (renderers return strings). */
import { formatMetric, formatPercent, formatSpread } from '../report/format-metric.js';
import { renderTable } from '../report/format.js';
import { markdownTable } from '../report/markdown-table.js';
import { SIGNIFICANCE_ALPHA } from '../stats/significance.js';
import { countSignificant, type Comparison, type MetricComparison } from './compare-cells.js';

export const COMPARE_HEADER = ['cell', 'metric', 'A', 'B', 'change', 'p', 'n', '95% CI of B/A'];

/** "-20.0% worse" when significant, "~" otherwise. */
export function formatChange(m: MetricComparison): string {
  if (m.verdict === '~') return '~';
  return `${formatPercent(m.changePct)} ${m.verdict}`;
}

function formatCi(m: MetricComparison): string {
  const i = m.stats.interval;
  // ∞ (from a zero median of A) is shown as +∞%; NaN cannot be.
  if (Number.isNaN(i.low) || Number.isNaN(i.high)) return 'n/a';
  return `${formatPercent((i.low - 1) * 100)} … ${formatPercent((i.high - 1) * 100)}`;
}

function rows(comparison: Comparison): string[][] {
  const out: string[][] = [];
  for (const pair of comparison.pairs) {
    if (pair.skipped !== null) {
      out.push([pair.label, '—', 'n/a', 'n/a', 'not compared', '', `${pair.nA}+${pair.nB}`, '']);
      continue;
    }
    pair.metrics.forEach((m, i) => {
      // ± is about the median; a sum or a maximum has none.
      const spread = (samples: readonly number[], figure: number): string => (m.combine === 'median' ? formatSpread(samples, figure) : '');
      out.push([
        i === 0 ? pair.label : '',
        m.label,
        `${formatMetric(m.a, m.unit)} ${spread(m.samplesA, m.a)}`.trim(),
        `${formatMetric(m.b, m.unit)} ${spread(m.samplesB, m.b)}`.trim(),
        formatChange(m),
        m.stats.mannWhitney.p.toFixed(3),
        `${m.stats.nA}+${m.stats.nB}`,
        formatCi(m),
      ]);
    });
  }
  return out;
}

function notes(comparison: Comparison): string[] {
  const lines = [
    `~ = not significant: the 95% bootstrap CI of the ratio of medians includes 1, or the Mann–Whitney U test gives p > ${SIGNIFICANCE_ALPHA.toFixed(2)}.`,
    'A and B are medians of the repetitions; ± is how far the farthest repetition lies from the median.',
  ];
  const untestable = comparison.pairs.flatMap((p) => p.metrics).filter((m) => !m.stats.testable);
  if (untestable.length > 0) {
    const n = untestable[0] as MetricComparison;
    lines.push(`n=${n.stats.nA}+${n.stats.nB} is too few repetitions to ever be significant: use at least 3 per side (5 to reach p < 0.01).`);
  }
  const combined = [...new Set(comparison.pairs.flatMap((p) => p.metrics).filter((m) => m.combine !== 'median').map((m) => `${m.label} (${m.combine === 'sum' ? 'sum' : 'largest'} of the repetitions)`))];
  if (combined.length > 0) {
    lines.push(`${combined.join(', ')}: A, B and change use that figure; p and the CI test the per-repetition values (the CI is of the ratio of their medians).`);
  }
  for (const pair of comparison.pairs.filter((p) => p.skipped !== null)) lines.push(`not compared: ${pair.label}: ${pair.skipped}.`);
  const chance = chanceLine(comparison);
  if (chance !== null) lines.push(chance);
  if (comparison.onlyA.length > 0) lines.push(`only in A (no matching cell in B): ${comparison.onlyA.join('; ')}`);
  if (comparison.onlyB.length > 0) lines.push(`only in B (no matching cell in A): ${comparison.onlyB.join('; ')}`);
  return lines;
}

function formatExpected(expected: number): string {
  return expected < 1 ? expected.toFixed(1) : String(Math.round(expected));
}

/** "3 of 48 comparisons significant; at α = 0.10 about 5 would be flagged by chance …", or null with nothing testable. */
export function chanceLine(comparison: Comparison): string | null {
  const { significant, testable, expectedByChance } = countSignificant(comparison);
  if (testable === 0) return null;
  return (
    `${significant} of ${testable} comparison${testable === 1 ? '' : 's'} significant; at α = ${SIGNIFICANCE_ALPHA.toFixed(2)} about ${formatExpected(expectedByChance)} would be flagged by chance if nothing changed` +
    ' — interleave with check --ab or add repetitions to tell drift from change.'
  );
}

export function renderCompareText(comparison: Comparison): string {
  return [`A  ${comparison.aName}`, `B  ${comparison.bName}`, '', renderTable(COMPARE_HEADER, rows(comparison)), '', ...notes(comparison)].join('\n');
}

export function renderCompareMarkdown(comparison: Comparison): string {
  return [
    `**A** \`${comparison.aName}\` · **B** \`${comparison.bName}\``,
    '',
    markdownTable(COMPARE_HEADER, rows(comparison).map((r) => r.map((c, i) => (i === 0 && c ? `\`${c}\`` : c)))),
    '',
    ...notes(comparison).map((l) => `- ${l}`),
  ].join('\n');
}

export function renderCompareJson(comparison: Comparison): string {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return JSON.stringify(
    {
      a: comparison.aName,
      b: comparison.bName,
      method: { interval: 'percentile bootstrap of median(B)/median(A), 10000 resamples, seeded', test: 'Mann–Whitney U, two-sided', alpha: SIGNIFICANCE_ALPHA },
      significance: { ...countSignificant(comparison), note: chanceLine(comparison) },
      pairs: comparison.pairs.map((p) => ({
        cell: p.label,
        aCell: p.aId,
        bCell: p.bId,
        n: [p.nA, p.nB],
        skipped: p.skipped,
        metrics: p.metrics.map((m) => ({
          metric: m.metric,
          unit: m.unit,
          better: m.better,
          combine: m.combine,
          a: m.a,
          b: m.b,
          // null when infinite, i.e. from a zero figure of A (fromZero).
          changePct: finite(m.changePct),
          fromZero: m.a === 0 && m.b !== 0,
          significant: m.stats.significant,
          verdict: m.verdict,
          p: m.stats.mannWhitney.p,
          n: [m.stats.nA, m.stats.nB],
          testable: m.stats.testable,
          ratio: finite(m.stats.ratio),
          ci: [finite(m.stats.interval.low), finite(m.stats.interval.high)],
          samplesA: m.samplesA,
          samplesB: m.samplesB,
        })),
      })),
      onlyA: comparison.onlyA,
      onlyB: comparison.onlyB,
    },
    null,
    2,
  );
}
