/** A sweep file that exercises every part of the report: 2 compressions × 2 sizes × 2 windows, 3 repetitions. */
import type { SweepResultsFile } from '../../src/types.js';
import { sweepFile, type SyntheticCell } from './synthetic-results.js';

export function reportSweep(): SweepResultsFile {
  const cells: SyntheticCell[] = [];
  for (const compression of ['identity', 'gzip'] as const) {
    for (const size of [16, 1024]) {
      for (const window of [65_535, 1_048_576]) {
        const slow = (compression === 'gzip' ? 3 : 1) * (size === 1024 ? 1.5 : 1) * (window === 65_535 ? 1.2 : 1);
        cells.push({
          axes: { compression, size, window },
          config: { compression, size, window, streams: 8, inFlight: 16 },
          repetitions: [0, 1, 2].map((i) => ({ msgsPerS: Math.round(150_000 / slow) + i * 900, latencyUs: 800 * slow + i * 10, seed: i + 1 })),
        });
      }
    }
  }
  return sweepFile(cells, 'quick');
}
