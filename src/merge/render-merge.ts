/** What `merge` prints: which shards went in, the start skew, and a summary of the merged file. */
import { renderRunSummary } from '../report/run-summary.js';
import type { ResultsFile } from '../types.js';
import { partialLabel } from './merge-run-shards.js';

export function renderMergeSummary(file: ResultsFile): string {
  const info = file.kind === 'run' ? file.run.merged : file.merged;
  const lines: string[] = [];
  if (info !== undefined) {
    const hosts = info.shards.map((s) => `${s.index}@${s.host}`).join(', ');
    lines.push(`merged     run ${info.runId}: ${info.shards.length} of ${info.count} shards (${hosts}) · start skew ${info.maxStartSkewMs} ms${info.partial ? ` · ${partialLabel(info.missing, info.count)}` : ''}`);
  }
  if (file.kind === 'run') lines.push(renderRunSummary(file.run));
  else {
    const completed = file.repetitions.filter((r) => r.status === 'completed').length;
    lines.push(`sweep      ${file.profile.name}: ${completed} of ${file.repetitions.length} repetitions merged · ${file.aggregates.length} cells aggregated`);
    for (const w of file.merged?.warnings ?? []) lines.push(`warning    ${w}`);
  }
  return `${lines.join('\n')}\n`;
}
