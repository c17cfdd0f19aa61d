/** Reads and validates results files (`run` or `sweep`), the input of report, compare and check. */
import { readFileSync } from 'node:fs';
import { ConfigError, describeError } from '../errors.js';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type ResultsFile, type SweepResultsFile } from '../types.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function need(condition: boolean, source: string, what: string): asserts condition {
  if (!condition) throw new ConfigError(`${source}: not a grpc-stream-bench results file (${what})`);
}

/** Files written before the h2 engine (and security) existed measured with grpc-js, in plaintext: say so, so keys never pair them with h2 runs. */
function upgradeConfig(config: Json): void {
  config.engine ??= 'grpc-js';
  config.security ??= 'plaintext';
  // Before fleets, the embedded server was one process.
  config.instances ??= 1;
}

function checkRunRecord(run: unknown, source: string, path: string): void {
  need(isObject(run), source, `${path} must be an object`);
  need(isObject(run.config), source, `${path}.config is missing`);
  upgradeConfig(run.config);
  need(isObject(run.metrics), source, `${path}.metrics is missing`);
  need(typeof run.metrics.msgsPerS === 'number', source, `${path}.metrics.msgsPerS must be a number`);
  need(isObject(run.metrics.latencyUs), source, `${path}.metrics.latencyUs is missing`);
  need(isObject(run.histograms) && typeof run.histograms.latencyUs === 'string', source, `${path}.histograms.latencyUs must be an encoded histogram`);
  need(Array.isArray(run.timeSeries), source, `${path}.timeSeries must be an array`);
}

/** Validates parsed JSON as a results file; `source` names it in messages. */
export function parseResults(data: unknown, source: string): ResultsFile {
  need(isObject(data), source, 'the top level must be an object');
  need(data.schema === RESULTS_SCHEMA, source, `schema must be "${RESULTS_SCHEMA}", got ${JSON.stringify(data.schema)}`);
  if (data.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new ConfigError(
      `${source}: results schema version ${JSON.stringify(data.schemaVersion)} is not supported (this build reads version ${RESULTS_SCHEMA_VERSION}); re-create the file with this version`,
    );
  }
  need(isObject(data.environment), source, 'environment is missing');
  if (data.kind === 'run') {
    checkRunRecord(data.run, source, 'run');
  } else if (data.kind === 'sweep') {
    need(isObject(data.profile) && typeof data.profile.name === 'string' && isObject(data.profile.definition), source, 'profile needs name and definition');
    need(isCount(data.seed), source, `seed must be a non-negative integer, got ${JSON.stringify(data.seed)}`);
    need(isCount(data.repeat) && data.repeat >= 1, source, `repeat must be a positive integer, got ${JSON.stringify(data.repeat)}`);
    need(typeof data.interrupted === 'boolean', source, 'interrupted must be true or false');
    need(Array.isArray(data.cells), source, 'cells must be an array');
    need(Array.isArray(data.repetitions), source, 'repetitions must be an array');
    need(Array.isArray(data.aggregates), source, 'aggregates must be an array');
    data.cells.forEach((cell: unknown, i) => {
      need(isObject(cell) && typeof cell.id === 'string' && isObject(cell.config) && isObject(cell.axes), source, `cells[${i}] needs id, axes and config`);
      upgradeConfig(cell.config);
    });
    data.repetitions.forEach((rep: unknown, i) => {
      need(isObject(rep) && typeof rep.cellId === 'string', source, `repetitions[${i}].cellId must be a string`);
      need(isCount(rep.repetition) && isCount(rep.order), source, `repetitions[${i}] needs repetition and order (non-negative integers)`);
      need(rep.status === 'completed' || rep.status === 'errored', source, `repetitions[${i}].status must be "completed" or "errored", got ${JSON.stringify(rep.status)}`);
      if (rep.status === 'completed') checkRunRecord(rep.run, source, `repetitions[${i}].run`);
    });
  } else {
    need(false, source, `kind must be "run" or "sweep", got ${JSON.stringify(data.kind)}`);
  }
  return data as unknown as ResultsFile;
}

/** Reads a results file; a missing, unreadable or incompatible file is a ConfigError (exit 2). */
export function readResultsFile(path: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    throw new ConfigError(code === 'ENOENT' ? `results file ${path} does not exist` : `cannot read results file ${path}: ${describeError(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigError(`${path}: not valid JSON (${describeError(error)})`);
  }
  return parseResults(data, path);
}

/** Reads a results file that must be a sweep (`purpose` names what needs it, e.g. "--resume"). */
export function readSweepResultsFile(path: string, purpose: string): SweepResultsFile {
  const file = readResultsFile(path);
  if (file.kind !== 'sweep') throw new ConfigError(`${purpose} ${path}: needs a sweep results file, got a "${file.kind}" file`);
  return file;
}
