import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { abProfile, repeatedRunProfile } from '../check/check-profile.js';
import { evaluateThresholds, matchBaseline, type CheckedCell } from '../check/evaluate-thresholds.js';
import { parseThresholds, THRESHOLD_GRAMMAR } from '../check/parse-threshold.js';
import { renderVerdictsMarkdown, renderVerdictsText } from '../check/render-verdicts.js';
import { RUN_FLAG_NAMES, resolveRunConfig } from '../config/resolve-run.js';
import { checkInteger } from '../config/checks.js';
import { BenchError, ConfigError, ExitCode } from '../errors.js';
import { loadProfile } from '../profile/load-profile.js';
import { cellsOf, mergeCells, type CellSamples } from '../results/cell-samples.js';
import { readResultsFile } from '../results/read-results.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { workloadKey } from '../results/workload-key.js';
import { MIN_REPETITIONS_FOR_SIGNIFICANCE, SIGNIFICANCE_ALPHA } from '../stats/significance.js';
import { initHistograms } from '../stats/histogram.js';
import { executeSweep } from '../sweep/execute-sweep.js';
import type { ClientCredentials, ResolvedProfile, SweepResultsFile } from '../types.js';
import { onInterrupt } from './interrupt.js';
import { runInputFromFlags, withRunFlags, type RunFlags } from './run-command.js';
import { credentialsFromFlags } from './security-flags.js';
import { resilienceFromFlags } from './resilience-flags.js';

type CheckArgs = RunFlags & {
  threshold: string[];
  baseline?: string[];
  results?: string[];
  profile?: string;
  ab: boolean;
  'candidate-target'?: string;
  candidate?: string[];
  repeat?: string;
  seed?: string;
  out?: string;
  summary?: string;
};

/** The run flags (without their dashes), from the one list resolve-run keeps: `target`, `in-flight`, `pacing` … */
const RUN_FLAGS = Object.values(RUN_FLAG_NAMES).map((flag) => flag.slice(2)) as (keyof RunFlags)[];

const DEFAULT_REPEAT = 3;

/** `--candidate size=1KiB` → the run flags with that one changed. */
function candidateFlags(args: CheckArgs): RunFlags {
  const flags: RunFlags = { ...args };
  if (args['candidate-target'] !== undefined) flags.target = args['candidate-target'];
  for (const item of args.candidate ?? []) {
    const match = /^([a-z-]+)=(.*)$/.exec(item.trim());
    const name = match?.[1] as keyof RunFlags | undefined;
    if (!match || !name || !RUN_FLAGS.includes(name)) {
      throw new ConfigError(`--candidate "${item}" must be FLAG=VALUE with FLAG one of ${RUN_FLAGS.join(', ')} (e.g. compression=gzip)`);
    }
    const value = match[2] as string;
    if (typeof args[name] === 'boolean') {
      // A switch such as --verify: true or false.
      if (value !== 'true' && value !== 'false') throw new ConfigError(`--candidate ${name}=${value}: ${name} is a switch, give ${name}=true or ${name}=false`);
      (flags as unknown as Record<string, boolean>)[name] = value === 'true';
    } else {
      (flags as unknown as Record<string, string>)[name] = value;
    }
  }
  return flags;
}

function progressReporter(): (p: { done: number; total: number; cellId: string; phase: string }) => void {
  return (p) => {
    if (process.stderr.isTTY !== true) return;
    process.stderr.write(`\r\x1b[2K[${p.done}/${p.total}] ${p.phase === 'repetition-start' ? 'running' : 'done'} ${p.cellId}`);
    if (p.done === p.total && p.phase === 'repetition-end') process.stderr.write('\r\x1b[2K');
  };
}

async function measure(profile: ResolvedProfile, seed: number | undefined, out: string | undefined, credentials: ClientCredentials | null): Promise<SweepResultsFile> {
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort());
  let file: SweepResultsFile;
  try {
    file = await executeSweep({ profile, seed, credentials, signal: controller.signal, onProgress: progressReporter() });
  } finally {
    release();
  }
  if (out !== undefined) {
    writeFileAtomic(out, `${JSON.stringify(file, null, 2)}\n`);
    process.stderr.write(`results    ${out}\n`);
  }
  if (file.interrupted) {
    throw new BenchError('check was interrupted before every repetition ran; no verdict', ExitCode.interrupted);
  }
  return file;
}

function describeCells(cells: readonly CellSamples[]): string {
  const reps = [...new Set(cells.map((c) => c.runs.length))].join('/');
  return `${cells.length} cell${cells.length === 1 ? '' : 's'}, ${reps} repetition${reps === '1' ? '' : 's'} each`;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'CI gate: evaluate thresholds (absolute, or relative to a baseline with significance) on results it takes or measures',
  builder: (y) =>
    withRunFlags(y as Argv<object>)
      .option('threshold', { alias: 't', type: 'string', array: true, requiresArg: true, demandOption: 'give at least one --threshold, e.g. --threshold "p99 < 5ms"', describe: `Threshold expression (repeatable); ${THRESHOLD_GRAMMAR}` })
      .option('baseline', { type: 'string', array: true, requiresArg: true, describe: 'Baseline results file(s) for relative thresholds; cells matched by workload' })
      .option('results', { type: 'string', array: true, requiresArg: true, describe: 'Check these results files instead of measuring (several files of one workload = repetitions)' })
      .option('profile', { type: 'string', requiresArg: true, describe: 'Run this sweep profile (name in bench/profiles or a path) and check it' })
      .option('ab', { type: 'boolean', default: false, describe: 'A/B: measure baseline (the run flags) and candidate interleaved; relative thresholds gate on their ratio' })
      .option('candidate-target', { type: 'string', requiresArg: true, describe: 'A/B: the candidate server HOST:PORT (baseline: --target)' })
      .option('candidate', { type: 'string', array: true, requiresArg: true, describe: 'A/B: a run flag that differs for the candidate, FLAG=VALUE (repeatable), e.g. compression=gzip' })
      .option('repeat', { type: 'string', requiresArg: true, describe: `Repetitions per side when check measures (run flags or --ab; overrides a profile's) [default: ${DEFAULT_REPEAT}]` })
      .option('seed', { type: 'string', requiresArg: true, describe: 'Seed of the interleaved order [default: random, recorded in --out]' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Save what check measured as a sweep results file (e.g. to become the next baseline)' })
      .option('summary', { type: 'string', requiresArg: true, describe: 'Append the Markdown verdict to this file [default: $GITHUB_STEP_SUMMARY when set]' })
      .example('$0 check --results new.json --baseline base.json -t "msgs_per_s regress < 10%" -t "p99 regress < 15%"', 'Gate saved results against a baseline')
      .example('$0 check --profile ci --baseline results/baselines/ci.json -t "p99 regress < 15%" -t "errors == 0"', 'Run the ci profile and gate it')
      .example('$0 check --ab --target 127.0.0.1:50051 --candidate-target 127.0.0.1:50052 -t "msgs_per_s regress < 5%"', 'A/B: two servers measured interleaved')
      .epilogue('Exit codes: 0 every threshold passed · 5 a threshold failed (or the candidate lost the repetitions to errors) · 2 invalid input (bad expression, missing or incompatible baseline, too few repetitions planned) · 130 interrupted') as Argv<CheckArgs>,
  handler: async (args) => {
    // Validate everything before any load runs.
    const thresholds = parseThresholds(args.threshold);
    const relative = thresholds.filter((t) => t.kind === 'relative');
    const sources = [args.results !== undefined && '--results', args.profile !== undefined && '--profile', args.ab && '--ab'].filter(Boolean);
    if (sources.length > 1) throw new ConfigError(`${sources.join(' and ')} are alternatives: give one`);
    if (args.ab && args.baseline !== undefined) throw new ConfigError('--ab measures its own baseline; drop --baseline (or drop --ab to gate against a file)');
    if (!args.ab && (args['candidate-target'] !== undefined || args.candidate !== undefined)) throw new ConfigError('--candidate-target and --candidate apply only with --ab');
    if (args.ab && args['candidate-target'] === undefined && args.candidate === undefined) {
      throw new ConfigError('--ab needs a candidate that differs from the baseline: --candidate-target HOST:PORT or --candidate FLAG=VALUE');
    }
    if (relative.length > 0 && !args.ab && args.baseline === undefined) {
      throw new ConfigError(`threshold "${(relative[0] as { text: string }).text}" is relative to a baseline: give --baseline FILE, or measure one with --ab`);
    }
    if (args.results !== undefined) {
      // Switches (--verify) default to false: given means set.
      const given = RUN_FLAGS.filter((f) => args[f] !== undefined && args[f] !== false);
      if (given.length > 0 || args.repeat !== undefined || args.out !== undefined) {
        throw new ConfigError(`--results checks measured results: ${[...given.map((f) => `--${f}`), ...(args.repeat ? ['--repeat'] : []), ...(args.out ? ['--out'] : [])].join(', ')} apply only when check runs the load`);
      }
    }
    if (args.profile !== undefined) {
      const given = RUN_FLAGS.filter((f) => f !== 'target' && args[f] !== undefined && args[f] !== false);
      if (given.length > 0) {
        throw new ConfigError(`--profile fixes the run settings: ${given.map((f) => `--${f}`).join(', ')} cannot be combined with it (edit the profile, or drop --profile to check one workload given by flags)`);
      }
    }
    const repeat = args.repeat === undefined ? undefined : checkInteger('--repeat', args.repeat, 1, 100);
    const seed = args.seed === undefined ? undefined : checkInteger('--seed', args.seed, 0, 2 ** 32 - 1);
    // The profile is read (not run) now, so that its repetitions can be checked before any load.
    const credentials = credentialsFromFlags(args);
    const loaded = args.profile === undefined ? null : loadProfile(args.profile, { target: args.target ?? null, allowRemote: args['allow-remote'], credentials, resilience: resilienceFromFlags(args) });
    if (relative.length > 0 && args.results === undefined) {
      const planned = repeat ?? loaded?.repeat ?? DEFAULT_REPEAT;
      if (planned < MIN_REPETITIONS_FOR_SIGNIFICANCE) {
        const from = repeat !== undefined ? `--repeat ${repeat}` : `profile ${loaded?.name ?? ''}`;
        throw new ConfigError(
          `threshold "${(relative[0] as { text: string }).text}" is relative: ${from} gives ${planned} repetition${planned === 1 ? '' : 's'} per ${args.ab ? 'side' : 'cell'}, and a significance test needs at least ${MIN_REPETITIONS_FOR_SIGNIFICANCE}; use --repeat ${MIN_REPETITIONS_FOR_SIGNIFICANCE} or more`,
        );
      }
    }
    const baseline = args.baseline === undefined ? null : mergeCells(args.baseline.map((p) => cellsOf(readResultsFile(p), p)));
    const baselineName = args.baseline?.join(', ') ?? '';
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
    const machine = { cpuCount: cpus().length, platform: process.platform };
    if (args.results !== undefined) {
      const candidate = mergeCells(args.results.map((p) => cellsOf(readResultsFile(p), p)));
      checked = matchBaseline(candidate, baseline, baselineName);
      context.push(`candidate: ${args.results.join(', ')} (${describeCells(candidate)})`);
    } else if (loaded !== null) {
      const profile = repeat === undefined ? loaded : { ...loaded, repeat };
      if (baseline !== null) matchBaseline(profile.cells.map((c) => ({ id: c.id, key: workloadKey(c.config, { axes: c.axes }), axes: c.axes, config: c.config, runs: [], failedRepetitions: 0, sources: [] })), baseline, baselineName);
      const file = await measure(profile, seed, args.out, credentials);
      const candidate = cellsOf(file, `profile ${profile.name}`);
      checked = matchBaseline(candidate, baseline, baselineName);
      context.push(`candidate: profile ${profile.name}, measured now (${describeCells(candidate)}, seed ${file.seed})`);
    } else if (args.ab) {
      const baseConfig = resolveRunConfig(runInputFromFlags(args), machine);
      const candConfig = resolveRunConfig(runInputFromFlags(candidateFlags(args)), machine);
      const file = await measure(abProfile(baseConfig, candConfig, repeat ?? DEFAULT_REPEAT), seed, args.out, credentials);
      const [base, cand] = ['side=baseline', 'side=candidate'].map((id) => cellsOf(file, 'A/B').find((c) => c.id === id) as CellSamples);
      checked = [{ label: 'candidate vs baseline', candidate: cand as CellSamples, baseline: base as CellSamples }];
      context.push(`A/B: baseline ${baseConfig.target ?? 'embedded server'} vs candidate ${candConfig.target ?? 'embedded server'}${args.candidate ? ` (${args.candidate.join(', ')})` : ''}, interleaved, ${(cand as CellSamples).runs.length}+${(base as CellSamples).runs.length} repetitions, seed ${file.seed}`);
    } else {
      const config = resolveRunConfig(runInputFromFlags(args), machine);
      const profile = repeatedRunProfile(config, repeat ?? DEFAULT_REPEAT);
      if (baseline !== null) matchBaseline([{ id: profile.cells[0]!.id, key: workloadKey(config), axes: {}, config, runs: [], failedRepetitions: 0, sources: [] }], baseline, baselineName);
      const file = await measure(profile, seed, args.out, credentials);
      const candidate = cellsOf(file, 'check');
      checked = matchBaseline(candidate, baseline, baselineName);
      context.push(`candidate: ${config.target ?? 'embedded echo server'}, measured now (${describeCells(candidate)}, seed ${file.seed})`);
    }
    if (baseline !== null) context.push(`baseline: ${baselineName} (${describeCells(baseline)})`);
    if (relative.length > 0) {
      context.push(`relative thresholds fail only on a significant regression: 95% bootstrap CI of the ratio of medians excludes 1 and Mann–Whitney p ≤ ${SIGNIFICANCE_ALPHA.toFixed(2)}`);
    }

    const outcome = evaluateThresholds(thresholds, checked);
    process.stdout.write(`${renderVerdictsText(outcome, context)}\n`);
    const summaryPath = args.summary ?? process.env.GITHUB_STEP_SUMMARY;
    if (summaryPath) appendFileSync(summaryPath, `${renderVerdictsMarkdown(outcome, context)}\n`);
    process.exitCode = outcome.failed > 0 ? ExitCode.thresholdsFailed : ExitCode.ok;
  },
};
