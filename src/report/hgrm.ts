/** `.hgrm` files (HdrHistogram percentile distribution text) and the plot points they hold. */
import type { CellSamples } from '../results/cell-samples.js';
import { mergedLatencyHistogram } from '../stats/aggregate-cell.js';
import { percentileDistributionText } from '../stats/histogram.js';

/** .hgrm values are in milliseconds (recorded µs ÷ 1000), like wrk2's. */
export const HGRM_UNIT_RATIO = 1000;

export interface PercentilePoint {
  /** Value in the .hgrm unit (ms). */
  value: number;
  /** 0..1 */
  percentile: number;
  totalCount: number;
  /** 1/(1−percentile); absent on the last (100%) line. */
  inverse: number | null;
}

/** The rows of an .hgrm text. */
export function parseHgrm(text: string): PercentilePoint[] {
  const points: PercentilePoint[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([\d.]+)\s+([\d.]+)\s+(\d+)(?:\s+([\d.]+|Infinity))?\s*$/.exec(line);
    if (!match) continue;
    points.push({
      value: Number(match[1]),
      percentile: Number(match[2]),
      totalCount: Number(match[3]),
      inverse: match[4] === undefined ? null : Number(match[4]),
    });
  }
  return points;
}

/** The merged latency histogram of a cell's repetitions (encoded). */
export function cellHistogram(cell: CellSamples): string | null {
  return mergedLatencyHistogram(cell.runs);
}

export function cellHgrm(cell: CellSamples): string | null {
  const encoded = cellHistogram(cell);
  return encoded === null ? null : percentileDistributionText(encoded, HGRM_UNIT_RATIO);
}

/** A file-system-safe name for a cell: "size=16,compression=gzip" → "size-16_compression-gzip". */
export function hgrmFileName(prefix: string, cellId: string): string {
  const safe = (s: string): string => s.replace(/=/g, '-').replace(/,/g, '_').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${safe(prefix)}${prefix ? '_' : ''}${safe(cellId) || 'cell'}.hgrm`;
}
