import { formatBytes, formatCount, formatMicros, renderTable } from '../report/format.js';
import { relativeIqr } from '../stats/spread.js';
import type { AxisValue, CellAggregate, SweepResultsFile } from '../types.js';
import { renderCostTable, sweepMeasuresSetupCosts } from './render-costs.js';

const PIVOT_AXES = ['size', 'compression', 'window'];

function axisText(name: string, value: AxisValue | undefined): string {
  if (value === null || value === undefined) return 'default';
  if ((name === 'size' || name === 'window' || name === 'maxMessageSize') && typeof value === 'number') return formatBytes(value);
  return String(value);
}

/** Distinct values of an axis in the order of the file's cells. */
function axisValues(file: SweepResultsFile, name: string): AxisValue[] {
  const values: AxisValue[] = [];
  for (const cell of file.cells) {
    const value = cell.axes[name];
    if (value !== undefined && !values.includes(value)) values.push(value);
  }
  return values;
}

/** "45,120 ±3% · 1.20 ms": median msgs/s, its interquartile range relative to the median, and p99. */
export function pivotCellText(aggregate: CellAggregate | undefined): string {
  if (!aggregate) return '–';
  const iqr = Math.round(relativeIqr(aggregate.msgsPerS) * 100);
  return `${formatCount(aggregate.msgsPerS.median)} ±${iqr}% · ${formatMicros(aggregate.latencyUs.p99)}`;
}

/**
 * The sweep as tables: rows = message size, columns = compression × window, each cell the
 * median msgs/s (± IQR / median) and the p99 of the merged histogram. Axes beyond these
 * three make one table per combination of their values.
 */
export function renderSweepPivot(file: SweepResultsFile): string {
  const byId = new Map(file.aggregates.map((a) => [a.cellId, a]));
  const compressions = axisValues(file, 'compression');
  const windows = axisValues(file, 'window');
  const sizes = axisValues(file, 'size');
  const otherAxes = Object.keys(file.cells[0]?.axes ?? {}).filter((name) => !PIVOT_AXES.includes(name));
  const groups = new Map<string, typeof file.cells>();
  for (const cell of file.cells) {
    const label = otherAxes.map((name) => `${name} ${axisText(name, cell.axes[name])}`).join(' · ');
    groups.set(label, [...(groups.get(label) ?? []), cell]);
  }
  const header = ['size', ...compressions.flatMap((c) => windows.map((w) => `${axisText('compression', c)} / win ${axisText('window', w)}`))];
  const sections: string[] = [];
  for (const [label, cells] of groups) {
    const find = (size: AxisValue, compression: AxisValue, window: AxisValue): CellAggregate | undefined => {
      const cell = cells.find((c) => c.axes.size === size && c.axes.compression === compression && c.axes.window === window);
      return cell ? byId.get(cell.id) : undefined;
    };
    const rows = sizes.map((size) => [axisText('size', size), ...compressions.flatMap((c) => windows.map((w) => pivotCellText(find(size, c, w))))]);
    sections.push(`${label ? `${label}\n` : ''}${renderTable(header, rows)}`);
  }
  if (sweepMeasuresSetupCosts(file)) sections.push(`costs per cell (medians of the repetitions; connect = TCP + TLS handshake + HTTP/2 preface, set-up = call opened → response headers)\n${renderCostTable(file)}`);
  const notes = ['cells: median msgs/s over the repetitions ±(interquartile range / median) · p99 latency of the merged histograms'];
  const embedded = file.cells.some((c) => c.config.target === null);
  if (embedded && compressions.some((c) => c !== 'identity')) {
    notes.push('gzip/deflate compress client → server only: the grpc-js echo server never compresses its responses');
  }
  if (file.interrupted) notes.push('interrupted: some repetitions are missing (resume with --resume FILE)');
  const errored = file.repetitions.filter((r) => r.status === 'errored').length;
  if (errored > 0) notes.push(`${errored} repetition(s) errored; see repetitions[].error in the results file`);
  return `${sections.join('\n\n')}\n\n${notes.map((n) => `note: ${n}`).join('\n')}`;
}
