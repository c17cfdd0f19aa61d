import { readFileSync } from 'node:fs';
import { ConfigError, describeError } from '../errors.js';
import { aggregateCells } from '../stats/aggregate-cell.js';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type Environment,
  type ResolvedProfile,
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
  };
}

/** Parses a sweep results document, checking the fields a resume relies on. */
export function parseSweepFile(text: string, path: string): SweepResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigError(`${path} is not valid JSON: ${describeError(error)}`);
  }
  const file = data as Partial<SweepResultsFile> | null;
  if (typeof file !== 'object' || file === null || file.schema !== RESULTS_SCHEMA) {
    throw new ConfigError(`${path} is not a grpc-stream-bench results file (schema must be "${RESULTS_SCHEMA}")`);
  }
  if (file.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new ConfigError(`${path}: schemaVersion must be ${RESULTS_SCHEMA_VERSION}, got ${String(file.schemaVersion)}`);
  }
  if (file.kind !== 'sweep') throw new ConfigError(`${path}: kind must be "sweep" to resume, got ${JSON.stringify(file.kind)}`);
  if (typeof file.seed !== 'number' || !Number.isInteger(file.seed)) throw new ConfigError(`${path}: seed must be an integer, got ${String(file.seed)}`);
  if (typeof file.repeat !== 'number' || !Number.isInteger(file.repeat) || file.repeat < 1) {
    throw new ConfigError(`${path}: repeat must be a positive integer, got ${String(file.repeat)}`);
  }
  if (!Array.isArray(file.cells) || !Array.isArray(file.repetitions)) throw new ConfigError(`${path}: cells and repetitions must be lists`);
  if (typeof file.profile !== 'object' || file.profile === null) throw new ConfigError(`${path}: profile must be an object`);
  return file as SweepResultsFile;
}

export function readSweepFile(path: string): SweepResultsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(`cannot read --resume file ${path}: ${describeError(error)}`);
  }
  return parseSweepFile(text, path);
}
