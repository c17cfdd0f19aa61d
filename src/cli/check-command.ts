import { appendFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { THRESHOLD_GRAMMAR } from '../check/parse-threshold.js';
import { renderVerdictsMarkdown, renderVerdictsText } from '../check/render-verdicts.js';
import { checkExitCode, DEFAULT_CHECK_REPEAT, runCheck, type CheckOptions, type CheckReport } from '../check/run-check.js';
import type { Unchecked } from '../config/run-options.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { onInterrupt } from './interrupt.js';
import { runOptionsFromFlags, withRunFlags, type RunFlags } from './run-command.js';

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

/** Flags → check options (camelCase, as the programmatic API takes them); unchecked. */
function checkOptionsFromFlags(args: CheckArgs): Unchecked<CheckOptions> & { out?: string } {
  return {
    ...runOptionsFromFlags(args),
    thresholds: args.threshold,
    baseline: args.baseline,
    results: args.results,
    profile: args.profile,
    ab: args.ab,
    candidateTarget: args['candidate-target'],
    candidate: args.candidate,
    repeat: args.repeat,
    seed: args.seed,
    out: args.out,
  };
}

function progressReporter(): (p: { done: number; total: number; cellId: string; phase: string }) => void {
  return (p) => {
    if (process.stderr.isTTY !== true) return;
    process.stderr.write(`\r\x1b[2K[${p.done}/${p.total}] ${p.phase === 'repetition-start' ? 'running' : 'done'} ${p.cellId}`);
    if (p.done === p.total && p.phase === 'repetition-end') process.stderr.write('\r\x1b[2K');
  };
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
      .option('repeat', { type: 'string', requiresArg: true, describe: `Repetitions per side when check measures (run flags or --ab; overrides a profile's) [default: ${DEFAULT_CHECK_REPEAT}]` })
      .option('seed', { type: 'string', requiresArg: true, describe: 'Seed of the interleaved order [default: random, recorded in --out]' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Save what check measured as a sweep results file (e.g. to become the next baseline)' })
      .option('summary', { type: 'string', requiresArg: true, describe: 'Append the Markdown verdict to this file [default: $GITHUB_STEP_SUMMARY when set]' })
      .example('$0 check --results new.json --baseline base.json -t "msgs_per_s regress < 10%" -t "p99 regress < 15%"', 'Gate saved results against a baseline')
      .example('$0 check --profile ci --baseline results/baselines/ci.json -t "p99 regress < 15%" -t "errors == 0"', 'Run the ci profile and gate it')
      .example('$0 check --ab --target 127.0.0.1:50051 --candidate-target 127.0.0.1:50052 -t "msgs_per_s regress < 5%"', 'A/B: two servers measured interleaved')
      .epilogue('Exit codes: 0 every threshold passed · 5 a threshold failed (or the candidate lost the repetitions to errors) · 2 invalid input (bad expression, missing or incompatible baseline, too few repetitions planned) · 130 interrupted') as Argv<CheckArgs>,
  handler: async (args) => {
    const options = checkOptionsFromFlags(args);
    const controller = new AbortController();
    // Ctrl-C stops what check measures (and it reports no verdict); checking given results is not interruptible.
    const release = args.results === undefined ? onInterrupt(() => controller.abort()) : () => undefined;
    let report: CheckReport;
    try {
      report = await runCheck(options, {
        signal: controller.signal,
        onProgress: progressReporter(),
        onMeasured: (file) => {
          if (args.out === undefined) return;
          writeFileAtomic(args.out, `${JSON.stringify(file, null, 2)}\n`);
          process.stderr.write(`results    ${args.out}\n`);
        },
      });
    } finally {
      release();
    }
    const { outcome, context } = report;
    process.stdout.write(`${renderVerdictsText(outcome, context)}\n`);
    const summaryPath = args.summary ?? process.env.GITHUB_STEP_SUMMARY;
    if (summaryPath) appendFileSync(summaryPath, `${renderVerdictsMarkdown(outcome, context)}\n`);
    process.exitCode = checkExitCode(outcome);
  },
};
