/** An inline SVG horizontal bar chart (one bar per label), for the HTML report. */
import { escapeXml, niceTicks, PALETTE } from './svg-chart.js';

export interface Bar {
  label: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  /** data-chart attribute, for tests and styling. */
  kind: string;
  valueFormat: (value: number) => string;
  width?: number;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

export function renderBarChart(bars: readonly Bar[], o: BarChartOptions): string {
  const width = o.width ?? 640;
  const barH = 22;
  const gap = 8;
  const m = { left: 150, right: 80, top: 32, bottom: 28 };
  const height = m.top + m.bottom + bars.length * (barH + gap);
  const plotW = width - m.left - m.right;
  const finite = bars.map((b) => (Number.isFinite(b.value) && b.value > 0 ? b.value : 0));
  const ticks = niceTicks(Math.max(0, ...finite));
  const max = ticks[ticks.length - 1] as number;
  const x = (v: number): number => m.left + (max > 0 ? (v / max) * plotW : 0);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(o.kind)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeXml(o.title)}</text>`,
  ];
  for (const t of ticks) {
    out.push(`<line x1="${fmt(x(t))}" y1="${m.top - 4}" x2="${fmt(x(t))}" y2="${height - m.bottom}" class="grid" stroke="#ddd"/>`);
    out.push(`<text x="${fmt(x(t))}" y="${height - m.bottom + 16}" text-anchor="middle" class="tick">${escapeXml(o.valueFormat(t))}</text>`);
  }
  bars.forEach((bar, i) => {
    const y = m.top + i * (barH + gap);
    const value = finite[i] as number;
    out.push(`<text x="${m.left - 8}" y="${y + barH / 2 + 4}" text-anchor="end" class="tick">${escapeXml(bar.label)}</text>`);
    out.push(
      `<rect x="${m.left}" y="${y}" width="${fmt(x(value) - m.left)}" height="${barH}" fill="${PALETTE[i % PALETTE.length]}" data-value="${value}"><title>${escapeXml(`${bar.label}: ${o.valueFormat(bar.value)}`)}</title></rect>`,
    );
    out.push(`<text x="${fmt(x(value) + 6)}" y="${y + barH / 2 + 4}" class="tick">${escapeXml(o.valueFormat(bar.value))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
