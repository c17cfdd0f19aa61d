import type { Argv, CommandModule } from 'yargs';
import type { Unchecked } from '../config/run-options.js';
import { defaultResultsPath } from '../results/run-file.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { measureSweep, prepareSweep, sweepExitCode, type SweepOptions } from '../sweep/prepare-sweep.js';
import { renderSweepPivot } from '../sweep/render-pivot.js';
import { describeShard } from '../report/run-summary.js';
import { planSlots } from '../plan/shard-slots.js';
import { renderSweepPlan } from '../sweep/render-plan.js';
import type { SweepResultsFile } from '../types.js';
import { securityOptionsFromFlags, withSecurityFlags, type SecurityFlags } from './security-flags.js';
import { openObservers, withObserveFlags, type ObserveFlags } from './observe-flags.js';
import { resilienceOptionsFromFlags, withResilienceFlags, type ResilienceFlags } from './resilience-flags.js';
import { onInterrupt } from './interrupt.js';
import { shardOptionsFromFlags, withShardFlags, type ShardFlags } from './shard-flags.js';
import { SweepProgressBar } from './sweep-progress.js';

interface SweepArgs extends SecurityFlags, ResilienceFlags, ObserveFlags, ShardFlags {
  profile?: string;
  target?: string;
  'allow-remote': boolean;
  'allow-partial': boolean;
  repeat?: string;
  seed?: string;
  resume?: string;
  'dry-run': boolean;
  out?: string;
  json: boolean;
  set?: string[];
  instances?: string;
}

/** Flags → sweep options (camelCase, as the programmatic API takes them); unchecked. */
function sweepOptionsFromFlags(args: SweepArgs): Unchecked<SweepOptions> {
  return {
    ...securityOptionsFromFlags(args),
    ...resilienceOptionsFromFlags(args),
    ...shardOptionsFromFlags(args),
    profile: args.profile,
    target: args.target,
    allowRemote: args['allow-remote'],
    allowPartial: args['allow-partial'],
    repeat: args.repeat,
    seed: args.seed,
    // --instances N is --set instances=N (the embedded servers of every cell are N-process fleets).
    set: args.instances === undefined ? args.set : [...(args.set ?? []), `instances=${args.instances}`],
    resume: args.resume,
  };
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Every combination of a profile\'s axes (compression × size × window …), repeated in a shuffled, interleaved order',
  builder: (y) =>
    withShardFlags(withObserveFlags(withResilienceFlags(withSecurityFlags(y))))
      .option('profile', { type: 'string', requiresArg: true, describe: 'Profile name in bench/profiles/ (quick, ci, full) or path to a profile .json' })
      .option('target', { type: 'string', requiresArg: true, describe: 'RouteChat server HOST:PORT, a comma-separated list of them, or dns:///NAME:PORT (all its addresses); omitted: embedded echo servers (not with --resume: it keeps the recorded target)' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a non-loopback --target' })
      .option('allow-partial', { type: 'boolean', default: false, describe: 'Drop unreachable members of a --target list (with a warning in each run) instead of failing; at least one must answer' })
      .option('repeat', { type: 'string', requiresArg: true, describe: 'Repetitions per cell [default: the profile\'s, else 3] (not with --resume)' })
      .option('seed', { type: 'string', requiresArg: true, describe: 'Seed of the shuffled order [default: random, recorded in the results]' })
      .option('resume', { type: 'string', requiresArg: true, describe: 'Continue a partial sweep file: run only its missing or errored repetitions' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan (cells, repetitions, order, estimated time) and exit' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Results file [default: results/<timestamp>-sweep.json; with --resume: that file]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the results document (or the plan) as JSON instead of tables' })
      .option('instances', { type: 'string', requiresArg: true, describe: 'Embedded servers: this many echo-server processes each (1-64), as --set instances=N; "instances" is also a profile setting and axis [default: 1]' })
      .option('set', { type: 'string', array: true, requiresArg: true, describe: 'Override a profile setting, KEY=VALUE (repeatable; e.g. --set streams=32 --set duration=2; not with --resume)' })
      .example('$0 sweep --profile quick', 'The quick profile against embedded servers (npm run bench)')
      .example('$0 sweep --profile ci --dry-run', 'Show the plan and its estimated time')
      .example('$0 sweep --profile quick --set streams=32 --set inFlight=4', 'The quick cells with other fixed settings')
      .example('$0 sweep --resume results/2026-11-25T10-00-00-000Z-sweep.json', 'Finish an interrupted sweep') as Argv<SweepArgs>,
  handler: async (args) => {
    const prepared = prepareSweep(sweepOptionsFromFlags(args));
    const { profile, plan } = prepared;

    if (args['dry-run']) {
      if (args.json) {
        const { cells, order, pending, estimate } = plan;
        const startAtMs = prepared.shard?.startAtMs ?? null;
        // A sharded sweep's planned slot starts (epoch ms, by order), to check that all shards agree.
        const slots = startAtMs === null ? {} : { slots: planSlots(order, cells, startAtMs) };
        const document = { profile: profile.name, seed: plan.seed, repeat: plan.repeat, cells: cells.map((c) => c.id), order, pending: pending.length, estimate, ...slots };
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
    const observer = await openObservers(args, 'sweep');
    const release = onInterrupt(() => controller.abort());
    if (!bar.enabled && !args.json) {
      process.stderr.write(`sweep ${profile.name}: ${plan.cells.length} cells × ${plan.repeat} = ${plan.pending.length} runs, seed ${plan.seed}, ~${Math.round(plan.estimate.seconds)} s\n`);
      const shard = prepared.shard;
      if (shard !== null && shard.startAtMs !== null) {
        const slots = planSlots(plan.order, plan.cells, shard.startAtMs);
        process.stderr.write(`shard ${shard.index}/${shard.count} of run ${shard.runId}: ${slots.length} time slots from ${new Date(shard.startAtMs).toISOString()}, the last at ${new Date(slots[slots.length - 1] ?? shard.startAtMs).toISOString()}\n`);
      }
    }
    let file: SweepResultsFile;
    try {
      try {
        file = await measureSweep(prepared, { signal: controller.signal, observer: observer ?? undefined, onProgress: (p) => bar.update(p), checkpoint: save });
      } finally {
        release();
        bar.stop();
      }
      save(file);
      observer?.finished?.(path);
      if (args.json) process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
      else process.stdout.write(`${renderSweepPivot(file)}\n${file.shard ? `shard      ${describeShard(file.shard)}\n` : ''}results    ${path}\n`);
    } finally {
      await observer?.close();
    }
    process.exitCode = sweepExitCode(file);
  },
};
