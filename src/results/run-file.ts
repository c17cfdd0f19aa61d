import { join } from 'node:path';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type Environment, type RunRecord, type RunResultsFile } from '../types.js';

export function buildRunResultsFile(run: RunRecord, environment: Environment, now = new Date()): RunResultsFile {
  return { schema: RESULTS_SCHEMA, schemaVersion: RESULTS_SCHEMA_VERSION, kind: 'run', createdAt: now.toISOString(), environment, run };
}

/** results/2026-11-25T09-30-00-123Z-run.json */
export function defaultResultsPath(kind: string, now = new Date(), dir = 'results'): string {
  return join(dir, `${now.toISOString().replace(/:/g, '-').replace('.', '-')}-${kind}.json`);
}
