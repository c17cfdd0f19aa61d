/** Per-backend figures of a results file's run, for the load-balancing tests. */
import type { RunRecord } from '../../src/types.js';

/** Streams opened per backend address (empty when the run recorded no per-backend figures). */
export function byBackend(run: RunRecord): Record<string, number> {
  return Object.fromEntries((run.metrics.backends ?? []).map((b) => [b.backend, b.streamsOpened]));
}
