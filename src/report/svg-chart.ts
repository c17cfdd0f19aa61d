/** Inline SVG line charts for the HTML report: no script, no external resource. */

export interface ChartSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Thin line (e.g. a single repetition next to the merged line). */
  thin?: boolean;
}

export interface ChartTick {
  value: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log10 x axis (percentile plots: x = 1/(1−p)). */
  xLog?: boolean;
  xTicks?: readonly ChartTick[];
  xFormat?: (value: number) => string;
  yFormat: (value: number) => string;
  /** A shaded x range, e.g. the warm-up. */
  shade?: { from: number; to: number; label: string };
  /** Marked x ranges, e.g. outages. */
  bands?: readonly { from: number; to: number; label: string }[];
  /** data-chart attribute, for tests and styling. */
  kind: string;
  width?: number;
  height?: number;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About five round ticks from 0 to max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] as number) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

export function renderLineChart(series: readonly ChartSeries[], o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 320;
  const m = { left: 64, right: 16, top: 32, bottom: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.xLog || x > 0));
  const tx = (x: number): number => (o.xLog ? Math.log10(x) : x);
  let xMin = all.length > 0 ? Math.min(...all.map(([x]) => tx(x))) : 0;
  let xMax = all.length > 0 ? Math.max(...all.map(([x]) => tx(x))) : 1;
  if (o.xLog) {
    xMin = Math.floor(Math.min(xMin, 0));
    xMax = Math.max(Math.ceil(xMax), xMin + 1);
  } else {
    xMin = Math.min(xMin, o.shade?.from ?? xMin);
    if (xMax <= xMin) xMax = xMin + 1;
  }
  const yTicks = niceTicks(all.length > 0 ? Math.max(...all.map(([, y]) => y)) * 1.05 : 1);
  const yMax = yTicks[yTicks.length - 1] as number;
  const px = (x: number): number => m.left + ((tx(x) - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => m.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(o.kind)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}">`);
  parts.push(`<title>${escapeXml(o.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="${m.left}" y="18" class="chart-title">${escapeXml(o.title)}</text>`);
  if (o.shade && !o.xLog) {
    const x1 = px(Math.max(o.shade.from, xMin));
    const x2 = px(Math.min(o.shade.to, xMax));
    if (x2 > x1) parts.push(`<rect class="shade" x="${fmt(x1)}" y="${m.top}" width="${fmt(x2 - x1)}" height="${plotH}" fill="#eee"><title>${escapeXml(o.shade.label)}</title></rect>`);
  }
  for (const band of o.xLog ? [] : (o.bands ?? [])) {
    const x1 = px(Math.max(band.from, xMin));
    const x2 = px(Math.min(band.to, xMax));
    if (x2 > x1) parts.push(`<rect class="band" x="${fmt(x1)}" y="${m.top}" width="${fmt(Math.max(x2 - x1, 1))}" height="${plotH}" fill="#f4c7c3" fill-opacity="0.6"><title>${escapeXml(band.label)}</title></rect>`);
  }
  for (const t of yTicks) {
    const y = py(t);
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${fmt(y)}" y2="${fmt(y)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${m.left - 6}" y="${fmt(y + 4)}" text-anchor="end" class="tick">${escapeXml(o.yFormat(t))}</text>`);
  }
  const xTicks: ChartTick[] = o.xTicks
    ? o.xTicks.filter((t) => tx(t.value) >= xMin - 1e-9 && tx(t.value) <= xMax + 1e-9)
    : niceTicks(xMax).filter((v) => v >= xMin).map((v) => ({ value: v, label: (o.xFormat ?? String)(v) }));
  for (const t of xTicks) {
    const x = px(t.value);
    parts.push(`<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${fmt(x)}" y="${m.top + plotH + 16}" text-anchor="middle" class="tick">${escapeXml(t.label)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis-label">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeXml(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.xLog || x > 0));
    if (pts.length === 0) return;
    const colour = PALETTE[i % PALETTE.length] as string;
    const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${fmt(px(x))},${fmt(py(y))}`).join(' ');
    parts.push(
      `<path class="series" d="${d}" fill="none" stroke="${colour}" stroke-width="${s.thin ? 1 : 2}"${s.thin ? ' stroke-opacity="0.6"' : ''}><title>${escapeXml(s.name)}</title></path>`,
    );
  });
  const legend = series.filter((s) => s.points.length > 0);
  legend.slice(0, 10).forEach((s, i) => {
    const y = m.top + 12 + i * 14;
    const colour = PALETTE[series.indexOf(s) % PALETTE.length] as string;
    parts.push(`<line x1="${m.left + 8}" x2="${m.left + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<text x="${m.left + 28}" y="${y}" class="legend">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** x ticks of a percentile plot: 1/(1−p) at 0%, 90%, 99%, 99.9%, … */
export function percentileTicks(maxX: number): ChartTick[] {
  const labels = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%', '99.99999%'];
  const ticks: ChartTick[] = [];
  for (let i = 0; i < labels.length && 10 ** i <= Math.max(10, maxX * 10); i++) ticks.push({ value: 10 ** i, label: labels[i] as string });
  return ticks;
}
