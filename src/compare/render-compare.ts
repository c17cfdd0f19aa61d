/** Compare output: terminal table, Markdown and JSON (renderers return strings). */
import { formatMetric, formatPercent, formatSpread } from '../report/format-metric.js';
import { renderTable } from '../report/format.js';
import { markdownTable } from '../report/markdown-table.js';
import { SIGNIFICANCE_ALPHA } from '../stats/significance.js';
import type { Comparison, MetricComparison } from './compare-cells.js';

export const COMPARE_HEADER = ['cell', 'metric', 'A', 'B', 'change', 'p', 'n', '95% CI of B/A'];

/** "-20.0% worse" when significant, "~" otherwise. */
export function formatChange(m: MetricComparison): string {
  if (m.verdict === '~') return '~';
  return `${formatPercent(m.changePct)} ${m.verdict}`;
}

function formatCi(m: MetricComparison): string {
  const i = m.stats.interval;
  if (!Number.isFinite(i.low) || !Number.isFinite(i.high)) return 'n/a';
  return `${formatPercent((i.low - 1) * 100)} … ${formatPercent((i.high - 1) * 100)}`;
}

function rows(comparison: Comparison): string[][] {
  const out: string[][] = [];
  for (const pair of comparison.pairs) {
    pair.metrics.forEach((m, i) => {
      out.push([
        i === 0 ? pair.label : '',
        m.label,
        `${formatMetric(m.a, m.unit)} ${formatSpread(m.samplesA, m.a)}`.trim(),
        `${formatMetric(m.b, m.unit)} ${formatSpread(m.samplesB, m.b)}`.trim(),
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
  if (comparison.onlyA.length > 0) lines.push(`only in A (no matching cell in B): ${comparison.onlyA.join('; ')}`);
  if (comparison.onlyB.length > 0) lines.push(`only in B (no matching cell in A): ${comparison.onlyB.join('; ')}`);
  return lines;
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
      pairs: comparison.pairs.map((p) => ({
        cell: p.label,
        aCell: p.aId,
        bCell: p.bId,
        metrics: p.metrics.map((m) => ({
          metric: m.metric,
          unit: m.unit,
          better: m.better,
          a: m.a,
          b: m.b,
          changePct: finite(m.changePct),
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
