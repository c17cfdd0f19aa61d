/** Results given to report, compare and check: a path to a results file, or the document itself. */
import { parseResults, readResultsFile } from './read-results.js';
import type { ResultsFile } from '../types.js';

/** A results file's path, or a results document (what run() and sweep() return). */
export type ResultsInput = string | ResultsFile;

export interface LoadedResults {
  /** The path, or `LABEL[i]` for a document given in memory: how messages and reports name it. */
  source: string;
  file: ResultsFile;
}

/**
 * Reads paths and validates documents alike (ConfigError, exit 2, naming the bad one); `label`
 * names documents given in memory, e.g. `files` → `files[1]`.
 */
export function loadResults(inputs: readonly unknown[], label: string): LoadedResults[] {
  return inputs.map((input, i) => {
    if (typeof input === 'string') return { source: input, file: readResultsFile(input) };
    const source = `${label}[${i}]`;
    return { source, file: parseResults(input, source) };
  });
}
