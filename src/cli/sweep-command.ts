import { cpus } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { checkInteger } from '../config/checks.js';
import { ConfigError, ExitCode } from '../errors.js';
import { loadProfile } from '../profile/load-profile.js';
import { MAX_REPEAT, resolveProfile } from '../profile/validate-profile.js';
import { describeEnvironment } from '../results/environment.js';
import { readSweepResultsFile } from '../results/read-results.js';
import { defaultResultsPath } from '../results/run-file.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { executeSweep, sweepHasErrors } from '../sweep/execute-sweep.js';
import { planSweep } from '../sweep/plan-sweep.js';
import { renderSweepPivot } from '../sweep/render-pivot.js';
import { renderSweepPlan } from '../sweep/render-plan.js';
import type { ClientCredentials, ResolvedProfile, SweepResultsFile } from '../types.js';
import { credentialsFromFlags, withSecurityFlags, type SecurityFlags } from './security-flags.js';
import { resilienceFromFlags, withResilienceFlags, type ResilienceFlags } from './resilience-flags.js';
import { onInterrupt } from './interrupt.js';
import { SweepProgressBar } from './sweep-progress.js';

interface SweepArgs extends SecurityFlags, ResilienceFlags {
  profile?: string;
  target?: string;
  'allow-remote': boolean;
  repeat?: string;
  seed?: string;
  resume?: string;
  'dry-run': boolean;
  out?: string;
  json: boolean;
  set?: string[];
}

/** The profile to sweep: from --profile, or from the definition embedded in the --resume file. */
function chooseProfile(args: SweepArgs, resume: SweepResultsFile | undefined, credentials: ClientCredentials | null): ResolvedProfile {
  const targetOptions = { target: args.target ?? null, allowRemote: args['allow-remote'], credentials, resilience: resilienceFromFlags(args) };
  let profile: ResolvedProfile;
  if (args.profile !== undefined) {
    profile = loadProfile(args.profile, { ...targetOptions, set: args.set ?? [] });
  } else if (resume) {
    const machine = { cpuCount: cpus().length, platform: process.platform };
    try {
      profile = resolveProfile(resume.profile.definition, { name: resume.profile.name, source: resume.profile.source }, machine, targetOptions);
    } catch (error: unknown) {
      if (error instanceof ConfigError) throw new ConfigError(`profile embedded in ${args.resume}: ${error.message}`);
      throw error;
    }
  } else {
    throw new ConfigError('sweep needs --profile NAME|FILE (quick, ci, full or a .json path), or --resume FILE');
  }
  if (args.repeat !== undefined) profile = { ...profile, repeat: checkInteger('--repeat', args.repeat, 1, MAX_REPEAT) };
  return profile;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Every combination of a profile\'s axes (compression × size × window …), repeated in a shuffled, interleaved order',
  builder: (y) =>
    withResilienceFlags(withSecurityFlags(y))
      .option('profile', { type: 'string', requiresArg: true, describe: 'Profile name in bench/profiles/ (quick, ci, full) or path to a profile .json' })
      .option('target', { type: 'string', requiresArg: true, describe: 'RouteChat server HOST:PORT; omitted: embedded echo servers (not with --resume: it keeps the recorded target)' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a non-loopback --target' })
      .option('repeat', { type: 'string', requiresArg: true, describe: 'Repetitions per cell [default: the profile\'s, else 3] (not with --resume)' })
      .option('seed', { type: 'string', requiresArg: true, describe: 'Seed of the shuffled order [default: random, recorded in the results]' })
      .option('resume', { type: 'string', requiresArg: true, describe: 'Continue a partial sweep file: run only its missing or errored repetitions' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan (cells, repetitions, order, estimated time) and exit' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Results file [default: results/<timestamp>-sweep.json; with --resume: that file]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the results document (or the plan) as JSON instead of tables' })
      .option('set', { type: 'string', array: true, requiresArg: true, describe: 'Override a profile setting, KEY=VALUE (repeatable; e.g. --set streams=32 --set duration=2; not with --resume)' })
      .example('$0 sweep --profile quick', 'The quick profile against embedded servers (npm run bench)')
      .example('$0 sweep --profile ci --dry-run', 'Show the plan and its estimated time')
      .example('$0 sweep --profile quick --set streams=32 --set inFlight=4', 'The quick cells with other fixed settings')
      .example('$0 sweep --resume results/2026-11-25T10-00-00-000Z-sweep.json', 'Finish an interrupted sweep') as Argv<SweepArgs>,
  handler: async (args) => {
    if (args.resume !== undefined) {
      // A resumed sweep runs the cells and repetitions its file recorded; these flags would be ignored.
      const ignored: [string, string][] = [];
      if (args.target !== undefined) ignored.push([`--target ${args.target}`, 'target']);
      if (args.repeat !== undefined) ignored.push([`--repeat ${args.repeat}`, 'repeat']);
      if (args.set !== undefined) ignored.push([`--set ${args.set.join(' --set ')}`, 'settings']);
      if (ignored.length > 0) {
        throw new ConfigError(
          `${ignored.map(([flag]) => flag).join(' and ')} cannot be used with --resume: the resumed sweep keeps its recorded ${ignored.map(([, what]) => what).join(' and ')} (start a new sweep to change ${ignored.length > 1 ? 'them' : 'it'})`,
        );
      }
    }
    const resume = args.resume !== undefined ? readSweepResultsFile(args.resume, '--resume') : undefined;
    const credentials = credentialsFromFlags(args);
    const profile = chooseProfile(args, resume, credentials);
    const seed = args.seed === undefined ? undefined : checkInteger('--seed', args.seed, 0, 4_294_967_295);
    const plan = planSweep({ profile, seed, resume });

    if (args['dry-run']) {
      if (args.json) {
        const { cells, order, pending, estimate } = plan;
        const document = { profile: profile.name, seed: plan.seed, repeat: plan.repeat, cells: cells.map((c) => c.id), order, pending: pending.length, estimate };
        process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        process.stdout.write(`${renderSweepPlan(profile, plan)}\n`);
      }
      return;
    }

    const path = args.out ?? args.resume ?? defaultResultsPath('sweep');
    const save = (file: SweepResultsFile): void => writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
    const controller = new AbortController();
    const bar = new SweepProgressBar();
    const release = onInterrupt(() => controller.abort());
    if (!bar.enabled && !args.json) {
      process.stderr.write(`sweep ${profile.name}: ${plan.cells.length} cells × ${plan.repeat} = ${plan.pending.length} runs, seed ${plan.seed}, ~${Math.round(plan.estimate.seconds)} s\n`);
    }
    let file: SweepResultsFile;
    try {
      file = await executeSweep({
        profile,
        credentials,
        seed: plan.seed,
        resume,
        signal: controller.signal,
        environment: describeEnvironment(),
        onProgress: (p) => bar.update(p),
        checkpoint: save,
      });
    } finally {
      release();
      bar.stop();
    }
    save(file);
    if (args.json) process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
    else process.stdout.write(`${renderSweepPivot(file)}\nresults    ${path}\n`);
    process.exitCode = file.interrupted ? ExitCode.interrupted : sweepHasErrors(file) ? ExitCode.runErrors : ExitCode.ok;
  },
};
