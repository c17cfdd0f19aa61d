/**
 * `check` from options to verdicts, shared by the command and the programmatic API. Every
 * input is validated before any load runs (thresholds, sources, baselines, planned
 * repetitions); then the candidate is read or measured, paired with its baseline and judged.
 * Returns data; printing, the step summary and the exit are the caller's.
 */
import { RUN_FLAG_NAMES, resolveRunConfig, type RunField } from '../config/resolve-run.js';
import { checkInteger } from '../config/checks.js';
import { credentialsFromOptions, localMachine, resilienceFromOptions, runInputFromOptions, type LoadOptions, type RunOptions, type Unchecked } from '../config/run-options.js';
import { BenchError, ConfigError, ExitCode } from '../errors.js';
import { profileFromOption, type ProfileDocument } from '../profile/load-profile.js';
import { MAX_REPEAT } from '../profile/validate-profile.js';
import { cellsOf, mergeCells, type CellSamples } from '../results/cell-samples.js';
import { loadResults, type ResultsInput } from '../results/results-input.js';
import { workloadKey } from '../results/workload-key.js';
import { MIN_REPETITIONS_FOR_SIGNIFICANCE, SIGNIFICANCE_ALPHA } from '../stats/significance.js';
import { initHistograms } from '../stats/histogram.js';
import { executeSweep } from '../sweep/execute-sweep.js';
import type { ClientCredentials, ResolvedProfile, SweepProgress, SweepResultsFile } from '../types.js';
import { abProfile, repeatedRunProfile } from './check-profile.js';
import { evaluateThresholds, matchBaseline, type CheckedCell, type CheckOutcome } from './evaluate-thresholds.js';
import { parseThresholds } from './parse-threshold.js';

export interface CheckOptions extends RunOptions {
  /** Threshold expressions: "p99 < 5ms", "msgs_per_s regress < 10%", "errors == 0" … (at least one). */
  thresholds: string | readonly string[];
  /** Baseline results (paths or documents) for relative thresholds; cells matched by workload. */
  baseline?: ResultsInput | readonly ResultsInput[];
  /** Check these results instead of measuring (several of one workload = repetitions). */
  results?: ResultsInput | readonly ResultsInput[];
  /** Run this sweep profile (name, path or document) and check it. */
  profile?: string | ProfileDocument;
  /** A/B: measure baseline (the run options) and candidate interleaved. */
  ab?: boolean;
  /** A/B: the candidate server HOST:PORT (baseline: `target`). */
  candidateTarget?: string;
  /** A/B: what differs for the candidate: `['compression=gzip']` (as `--candidate`) or `{ compression: 'gzip' }`. */
  candidate?: readonly string[] | LoadOptions;
  /** Repetitions per side when check measures [default: the profile's, else 3]. */
  repeat?: number;
  /** Seed of the interleaved order [default: random]. */
  seed?: number;
}

export interface CheckHooks {
  /** Aborting stops the measurement; check then throws BenchError (exit code 130): no verdict. */
  signal?: AbortSignal;
  /** Before and after every repetition check measures. */
  onProgress?: (progress: SweepProgress) => void;
  /** What check measured, as soon as it is measured (also when interrupted), e.g. to save it. */
  onMeasured?: (file: SweepResultsFile) => void;
}

export interface CheckReport {
  outcome: CheckOutcome;
  /** What was checked against what, one line each (printed above the verdict table). */
  context: string[];
  /** The sweep document check measured; null when it checked given results. */
  measured: SweepResultsFile | null;
}

/** The run settings, from the one list resolve-run keeps: target, inFlight, pacing … */
const RUN_FIELDS = Object.keys(RUN_FLAG_NAMES) as RunField[];
/** Their flags without dashes, as `--candidate` names them: target, in-flight, pacing … */
const RUN_FLAGS = RUN_FIELDS.map((field) => RUN_FLAG_NAMES[field].slice(2));
/** Run settings that are switches (true or false). */
const SWITCHES: ReadonlySet<RunField> = new Set<RunField>(['verify']);

/** Repetitions check measures when neither `repeat` nor a profile says. */
export const DEFAULT_CHECK_REPEAT = 3;

/** A list option given as one value or a list; undefined stays undefined. */
function listOf(value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

const isGiven = (value: unknown): boolean => value !== undefined && value !== false;

/** `--candidate size=1KiB` (or `{ size: '1KiB' }`) → the run options with that one changed. */
function candidateOptions(o: Unchecked<CheckOptions>): Unchecked<RunOptions> {
  const options: Record<string, unknown> = { ...o };
  if (o.candidateTarget !== undefined) options.target = o.candidateTarget;
  const candidate = o.candidate;
  if (typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)) {
    for (const [key, value] of Object.entries(candidate)) {
      if (!RUN_FIELDS.includes(key as RunField)) throw new ConfigError(`candidate.${key} is not a run setting; settings: ${RUN_FIELDS.join(', ')}`);
      options[key] = value;
    }
    return options;
  }
  for (const item of listOf(candidate) ?? []) {
    const text = String(item);
    const match = /^([a-z-]+)=(.*)$/.exec(text.trim());
    const flag = match?.[1];
    const field = flag === undefined ? undefined : RUN_FIELDS[RUN_FLAGS.indexOf(flag)];
    if (!match || field === undefined) {
      throw new ConfigError(`--candidate "${text}" must be FLAG=VALUE with FLAG one of ${RUN_FLAGS.join(', ')} (e.g. compression=gzip)`);
    }
    const value = match[2] as string;
    if (SWITCHES.has(field)) {
      // A switch such as --verify: true or false.
      if (value !== 'true' && value !== 'false') throw new ConfigError(`--candidate ${flag}=${value}: ${flag} is a switch, give ${flag}=true or ${flag}=false`);
      options[field] = value === 'true';
    } else {
      options[field] = value;
    }
  }
  return options;
}

function describeCells(cells: readonly CellSamples[]): string {
  const reps = [...new Set(cells.map((c) => c.runs.length))].join('/');
  return `${cells.length} cell${cells.length === 1 ? '' : 's'}, ${reps} repetition${reps === '1' ? '' : 's'} each`;
}

async function measure(profile: ResolvedProfile, seed: number | undefined, credentials: ClientCredentials | null, hooks: CheckHooks): Promise<SweepResultsFile> {
  const file = await executeSweep({ profile, seed, credentials, signal: hooks.signal, onProgress: hooks.onProgress });
  hooks.onMeasured?.(file);
  if (file.interrupted) {
    throw new BenchError('check was interrupted before every repetition ran; no verdict', ExitCode.interrupted);
  }
  return file;
}

/**
 * Evaluates the thresholds on given or measured results. `out` is only named in messages: it
 * says the caller will save what check measures (the CLI's --out).
 */
export async function runCheck(o: Unchecked<CheckOptions> & { out?: string }, hooks: CheckHooks = {}): Promise<CheckReport> {
  // Validate everything before any load runs.
  const texts = (listOf(o.thresholds) ?? []).map(String);
  if (texts.length === 0) throw new ConfigError('give at least one --threshold, e.g. --threshold "p99 < 5ms"');
  const thresholds = parseThresholds(texts);
  const relative = thresholds.filter((t) => t.kind === 'relative');
  const resultsInputs = listOf(o.results);
  const baselineInputs = listOf(o.baseline);
  const ab = o.ab === true;
  const sources = [resultsInputs !== undefined && '--results', o.profile !== undefined && '--profile', ab && '--ab'].filter(Boolean);
  if (sources.length > 1) throw new ConfigError(`${sources.join(' and ')} are alternatives: give one`);
  if (ab && baselineInputs !== undefined) throw new ConfigError('--ab measures its own baseline; drop --baseline (or drop --ab to gate against a file)');
  if (!ab && (o.candidateTarget !== undefined || o.candidate !== undefined)) throw new ConfigError('--candidate-target and --candidate apply only with --ab');
  if (ab && o.candidateTarget === undefined && o.candidate === undefined) {
    throw new ConfigError('--ab needs a candidate that differs from the baseline: --candidate-target HOST:PORT or --candidate FLAG=VALUE');
  }
  if (relative.length > 0 && !ab && baselineInputs === undefined) {
    throw new ConfigError(`threshold "${(relative[0] as { text: string }).text}" is relative to a baseline: give --baseline FILE, or measure one with --ab`);
  }
  if (resultsInputs !== undefined) {
    // Switches (verify) default to false: given means set.
    const given = RUN_FIELDS.filter((f) => isGiven(o[f]));
    if (given.length > 0 || o.allowPartial === true || o.repeat !== undefined || o.out !== undefined) {
      throw new ConfigError(
        `--results checks measured results: ${[...given.map((f) => RUN_FLAG_NAMES[f]), ...(o.allowPartial === true ? ['--allow-partial'] : []), ...(o.repeat ? ['--repeat'] : []), ...(o.out ? ['--out'] : [])].join(', ')} apply only when check runs the load`,
      );
    }
  }
  if (o.profile !== undefined) {
    const given = RUN_FIELDS.filter((f) => f !== 'target' && isGiven(o[f]));
    if (given.length > 0) {
      throw new ConfigError(
        `--profile fixes the run settings: ${given.map((f) => RUN_FLAG_NAMES[f]).join(', ')} cannot be combined with it (edit the profile, or drop --profile to check one workload given by flags)`,
      );
    }
  }
  const repeat = o.repeat === undefined ? undefined : checkInteger('--repeat', o.repeat, 1, MAX_REPEAT);
  const seed = o.seed === undefined ? undefined : checkInteger('--seed', o.seed, 0, 2 ** 32 - 1);
  // The profile is read (not run) now, so that its repetitions can be checked before any load.
  const credentials = credentialsFromOptions(o);
  const loaded =
    o.profile === undefined
      ? null
      : profileFromOption(o.profile, {
          target: (o.target as string | undefined) ?? null,
          allowRemote: o.allowRemote === true,
          allowPartial: o.allowPartial === true,
          credentials,
          resilience: resilienceFromOptions(o),
        });
  if (relative.length > 0 && resultsInputs === undefined) {
    const planned = repeat ?? loaded?.repeat ?? DEFAULT_CHECK_REPEAT;
    if (planned < MIN_REPETITIONS_FOR_SIGNIFICANCE) {
      const from = repeat !== undefined ? `--repeat ${repeat}` : `profile ${loaded?.name ?? ''}`;
      throw new ConfigError(
        `threshold "${(relative[0] as { text: string }).text}" is relative: ${from} gives ${planned} repetition${planned === 1 ? '' : 's'} per ${ab ? 'side' : 'cell'}, and a significance test needs at least ${MIN_REPETITIONS_FOR_SIGNIFICANCE}; use --repeat ${MIN_REPETITIONS_FOR_SIGNIFICANCE} or more`,
      );
    }
  }
  const baselineFiles = baselineInputs === undefined ? null : loadResults(baselineInputs, 'baseline');
  const baseline = baselineFiles === null ? null : mergeCells(baselineFiles.map(({ file, source }) => cellsOf(file, source)));
  const baselineName = baselineFiles?.map((f) => f.source).join(', ') ?? '';
  if (baseline !== null && baseline.every((c) => c.runs.length === 0)) throw new ConfigError(`baseline ${baselineName} has no completed repetition`);
  const thin = baseline?.find((c) => c.runs.length < MIN_REPETITIONS_FOR_SIGNIFICANCE);
  if (relative.length > 0 && thin) {
    throw new ConfigError(
      `baseline ${baselineName} has ${thin.runs.length} completed repetition(s) of ${thin.id}; relative thresholds need at least ${MIN_REPETITIONS_FOR_SIGNIFICANCE} per cell to test significance`,
    );
  }
  await initHistograms();

  const context: string[] = [];
  let checked: CheckedCell[];
  let measured: SweepResultsFile | null = null;
  const machine = localMachine();
  if (resultsInputs !== undefined) {
    const files = loadResults(resultsInputs, 'results');
    const candidate = mergeCells(files.map(({ file, source }) => cellsOf(file, source)));
    checked = matchBaseline(candidate, baseline, baselineName);
    context.push(`candidate: ${files.map((f) => f.source).join(', ')} (${describeCells(candidate)})`);
  } else if (loaded !== null) {
    const profile = repeat === undefined ? loaded : { ...loaded, repeat };
    if (baseline !== null) matchBaseline(profile.cells.map((c) => ({ id: c.id, key: workloadKey(c.config, { axes: c.axes }), axes: c.axes, config: c.config, runs: [], failedRepetitions: 0, sources: [] })), baseline, baselineName);
    measured = await measure(profile, seed, credentials, hooks);
    const candidate = cellsOf(measured, `profile ${profile.name}`);
    checked = matchBaseline(candidate, baseline, baselineName);
    context.push(`candidate: profile ${profile.name}, measured now (${describeCells(candidate)}, seed ${measured.seed})`);
  } else if (ab) {
    const baseConfig = resolveRunConfig(runInputFromOptions(o), machine);
    const candConfig = resolveRunConfig(runInputFromOptions(candidateOptions(o)), machine);
    measured = await measure(abProfile(baseConfig, candConfig, repeat ?? DEFAULT_CHECK_REPEAT), seed, credentials, hooks);
    const [base, cand] = ['side=baseline', 'side=candidate'].map((id) => cellsOf(measured as SweepResultsFile, 'A/B').find((c) => c.id === id) as CellSamples);
    checked = [{ label: 'candidate vs baseline', candidate: cand as CellSamples, baseline: base as CellSamples }];
    const candidateText = o.candidate === undefined ? '' : Array.isArray(o.candidate) ? o.candidate.join(', ') : Object.entries(o.candidate as object).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    context.push(
      `A/B: baseline ${baseConfig.target ?? 'embedded server'} vs candidate ${candConfig.target ?? 'embedded server'}${candidateText ? ` (${candidateText})` : ''}, interleaved, ${(cand as CellSamples).runs.length}+${(base as CellSamples).runs.length} repetitions, seed ${measured.seed}`,
    );
  } else {
    const config = resolveRunConfig(runInputFromOptions(o), machine);
    const profile = repeatedRunProfile(config, repeat ?? DEFAULT_CHECK_REPEAT);
    if (baseline !== null) matchBaseline([{ id: profile.cells[0]!.id, key: workloadKey(config), axes: {}, config, runs: [], failedRepetitions: 0, sources: [] }], baseline, baselineName);
    measured = await measure(profile, seed, credentials, hooks);
    const candidate = cellsOf(measured, 'check');
    checked = matchBaseline(candidate, baseline, baselineName);
    context.push(`candidate: ${config.target ?? 'embedded echo server'}, measured now (${describeCells(candidate)}, seed ${measured.seed})`);
  }
  if (baseline !== null) context.push(`baseline: ${baselineName} (${describeCells(baseline)})`);
  if (relative.length > 0) {
    context.push(`relative thresholds fail only on a significant regression: 95% bootstrap CI of the ratio of medians excludes 1 and Mann–Whitney p ≤ ${SIGNIFICANCE_ALPHA.toFixed(2)}`);
  }
  return { outcome: evaluateThresholds(thresholds, checked), context, measured };
}

/** 0 when every threshold passed, 5 when one failed. */
export function checkExitCode(outcome: CheckOutcome): typeof ExitCode.ok | typeof ExitCode.thresholdsFailed {
  return outcome.failed > 0 ? ExitCode.thresholdsFailed : ExitCode.ok;
}
