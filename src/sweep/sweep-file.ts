import { aggregateCells } from '../stats/aggregate-cell.js';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type Environment,
  type ResolvedProfile,
  type ShardInfo,
  type SweepCell,
  type SweepRepetition,
  type SweepResultsFile,
} from '../types.js';

export interface SweepFileParts {
  profile: ResolvedProfile;
  environment: Environment;
  createdAt: string;
  seed: number;
  repeat: number;
  interrupted: boolean;
  cells: SweepCell[];
  repetitions: SweepRepetition[];
  /** This process's part of a sharded sweep (null or absent: the whole sweep). */
  shard?: ShardInfo | null;
}

/** The results document of a sweep, aggregates computed (await initHistograms() first). */
export function buildSweepFile(parts: SweepFileParts): SweepResultsFile {
  const repetitions = [...parts.repetitions].sort((a, b) => a.order - b.order);
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    kind: 'sweep',
    createdAt: parts.createdAt,
    environment: parts.environment,
    profile: { name: parts.profile.name, source: parts.profile.source, definition: parts.profile.definition },
    seed: parts.seed,
    repeat: parts.repeat,
    interrupted: parts.interrupted,
    cells: parts.cells,
    repetitions,
    aggregates: aggregateCells(
      parts.cells.map((c) => c.id),
      repetitions,
    ),
    shard: parts.shard ?? null,
  };
}
