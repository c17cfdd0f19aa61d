/** The in-memory profiles `check` measures when it runs the load itself (pure). */
import { workloadKey } from '../results/workload-key.js';
import type { ResolvedProfile, RunConfig } from '../types.js';

/** One cell, repeated: `check` with run flags. */
export function repeatedRunProfile(config: RunConfig, repeat: number): ResolvedProfile {
  return {
    name: 'check',
    source: null,
    description: `check: the run settings, ${repeat} repetitions`,
    repeat,
    definition: { description: 'check: run settings from the command line', repeat, settings: config },
    axes: [],
    cells: [{ id: workloadKey(config), axes: {}, config }],
  };
}

export const AB_SIDES = ['baseline', 'candidate'] as const;

/** Two cells, baseline and candidate, whose repetitions the sweep interleaves. */
export function abProfile(baseline: RunConfig, candidate: RunConfig, repeat: number): ResolvedProfile {
  return {
    name: 'check-ab',
    source: null,
    description: `check --ab: baseline and candidate interleaved, ${repeat} repetitions each`,
    repeat,
    definition: { description: 'check --ab', repeat, baseline, candidate },
    axes: [{ name: 'side', values: [...AB_SIDES] }],
    cells: [
      { id: 'side=baseline', axes: { side: 'baseline' }, config: baseline },
      { id: 'side=candidate', axes: { side: 'candidate' }, config: candidate },
    ],
  };
}
