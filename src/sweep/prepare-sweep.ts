/**
 * A sweep from options to plan and from plan to results document, shared by the `sweep`
 * command and the programmatic API. `prepareSweep` validates everything (profile, overrides,
 * resume file, seed) before any load; `measureSweep` runs it. Neither prints, writes a file
 * or handles signals.
 */
import { checkInteger } from '../config/checks.js';
import { credentialsFromOptions, localMachine, resilienceFromOptions, type ClientSecurityOptions, type ResilienceOptions, type ShardOptions, type Unchecked } from '../config/run-options.js';
import { resolveShard, type ResolvedShard } from '../config/resolve-shard.js';
import { seedOfRunId } from '../plan/shard-slots.js';
import { checkShardedSweep } from './shard-sweep.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../errors.js';
import type { RunObserver } from '../observe/observer.js';
import { profileFromOption, type ProfileDocument, type SettingOverrides } from '../profile/load-profile.js';
import { MAX_REPEAT, resolveProfile } from '../profile/validate-profile.js';
import { describeEnvironment } from '../results/environment.js';
import { parseResults, readSweepResultsFile } from '../results/read-results.js';
import type { ClientCredentials, ResolvedProfile, SweepProgress, SweepResultsFile } from '../types.js';

export type { ProfileDocument };
import { executeSweep, sweepHasErrors } from './execute-sweep.js';
import { planSweep, type SweepPlan } from './plan-sweep.js';

export interface SweepOptions extends ClientSecurityOptions, ResilienceOptions, ShardOptions {
  /** A shipped profile's name (quick, ci, full, security), a path to a profile .json, or the profile document. */
  profile?: string | ProfileDocument;
  /** RouteChat server HOST:PORT for every cell; omitted: embedded echo servers. */
  target?: string;
  allowRemote?: boolean;
  /** Drop unreachable members of a target list (with a warning in each run) instead of failing [default: false]. */
  allowPartial?: boolean;
  /** Repetitions per cell [default: the profile's, else 3]. */
  repeat?: number;
  /** Seed of the shuffled order [default: random, recorded in the results]. */
  seed?: number;
  /** Override profile settings: `['streams=32', 'duration=2']` (as `--set`) or `{ streams: 32, duration: 2 }`. */
  set?: SettingOverrides;
  /** Continue a partial sweep (its path, or the document): run only its missing or errored repetitions. */
  resume?: string | SweepResultsFile;
}

export interface PreparedSweep {
  profile: ResolvedProfile;
  plan: SweepPlan;
  credentials: ClientCredentials | null;
  resume: SweepResultsFile | undefined;
  /** This process's part of a sharded sweep (--shard, --run-id, --start-at); null for the whole sweep. */
  shard: ResolvedShard | null;
}

export interface MeasureSweepHooks {
  /** Aborting stops after the current repetition is cut short; the document says `interrupted: true`. */
  signal?: AbortSignal;
  /** Before and after every repetition. */
  onProgress?: (progress: SweepProgress) => void;
  /** Watching the sweep (the CLI's live page and Prometheus exporter). */
  observer?: RunObserver;
  /** The document after every finished repetition but the last (interrupted: true), e.g. to save it. */
  checkpoint?: (partial: SweepResultsFile) => void;
}

/** `set` as texts (`--set`) or an object; one text alone is a list of one. */
function settingOverrides(set: unknown): SettingOverrides {
  if (set === undefined) return [];
  if (typeof set === 'string') return [set];
  if (Array.isArray(set)) return set.map(String);
  if (typeof set === 'object' && set !== null) return set as Record<string, unknown>;
  throw new ConfigError(`--set must be KEY=VALUE texts or an object of settings, got ${JSON.stringify(set)}`);
}

function describeSet(set: SettingOverrides): string {
  const items = Array.isArray(set) ? (set as readonly string[]) : Object.entries(set).map(([key, value]) => `${key}=${String(value)}`);
  return `--set ${items.join(' --set ')}`;
}

function readResume(resume: unknown): { file: SweepResultsFile; name: string } {
  if (typeof resume === 'string') return { file: readSweepResultsFile(resume, '--resume'), name: resume };
  const file = parseResults(resume, 'resume');
  if (file.kind !== 'sweep') throw new ConfigError(`--resume: needs a sweep results file, got a "${file.kind}" file`);
  return { file, name: 'the resumed document' };
}

/** The profile to sweep: from `profile`, or from the definition embedded in the resumed file. */
function chooseProfile(o: Unchecked<SweepOptions>, resume: { file: SweepResultsFile; name: string } | undefined, credentials: ClientCredentials | null): ResolvedProfile {
  const targetOptions = { target: (o.target as string | undefined) ?? null, allowRemote: o.allowRemote === true, allowPartial: o.allowPartial === true, credentials, resilience: resilienceFromOptions(o) };
  const set = settingOverrides(o.set);
  let profile: ResolvedProfile;
  if (o.profile !== undefined) {
    profile = profileFromOption(o.profile, { ...targetOptions, set });
  } else if (resume) {
    try {
      profile = resolveProfile(resume.file.profile.definition, { name: resume.file.profile.name, source: resume.file.profile.source }, localMachine(), targetOptions);
    } catch (error: unknown) {
      if (error instanceof ConfigError) throw new ConfigError(`profile embedded in ${resume.name}: ${error.message}`);
      throw error;
    }
  } else {
    throw new ConfigError('sweep needs --profile NAME|FILE (quick, ci, full or a .json path), or --resume FILE');
  }
  if (o.repeat !== undefined) profile = { ...profile, repeat: checkInteger('--repeat', o.repeat, 1, MAX_REPEAT) };
  return profile;
}

/** Validates the options and plans the sweep (order, pending repetitions, estimate); nothing runs. */
export function prepareSweep(o: Unchecked<SweepOptions>): PreparedSweep {
  if (o.resume !== undefined) {
    // A resumed sweep runs the cells and repetitions its file recorded; these options would be ignored.
    const ignored: [string, string][] = [];
    if (o.target !== undefined) ignored.push([`--target ${String(o.target)}`, 'target']);
    if (o.repeat !== undefined) ignored.push([`--repeat ${String(o.repeat)}`, 'repeat']);
    if (o.set !== undefined) ignored.push([describeSet(settingOverrides(o.set)), 'settings']);
    if (ignored.length > 0) {
      throw new ConfigError(
        `${ignored.map(([flag]) => flag).join(' and ')} cannot be used with --resume: the resumed sweep keeps its recorded ${ignored.map(([, what]) => what).join(' and ')} (start a new sweep to change ${ignored.length > 1 ? 'them' : 'it'})`,
      );
    }
  }
  const shard = resolveShard({ shard: o.shard, runId: o.runId, startAt: o.startAt });
  if (shard !== null && o.resume !== undefined) {
    throw new ConfigError('--shard, --run-id and --start-at cannot be used with --resume: the time slots of a sharded sweep are fixed from its start; start a new sweep with a new --start-at');
  }
  const resume = o.resume !== undefined ? readResume(o.resume) : undefined;
  const credentials = credentialsFromOptions(o);
  const profile = chooseProfile(o, resume, credentials);
  if (shard !== null) checkShardedSweep(profile, shard);
  // Every shard must shuffle alike: without --seed the seed comes from the run id.
  const seed = o.seed === undefined ? (shard !== null && shard.count > 1 ? seedOfRunId(shard.runId) : undefined) : checkInteger('--seed', o.seed, 0, 4_294_967_295);
  const plan = planSweep({ profile, seed, resume: resume?.file });
  return { profile, plan, credentials, resume: resume?.file, shard };
}

/** Runs the planned sweep and returns its results document (not written anywhere). */
export function measureSweep(prepared: PreparedSweep, hooks: MeasureSweepHooks = {}): Promise<SweepResultsFile> {
  return executeSweep({
    profile: prepared.profile,
    credentials: prepared.credentials,
    seed: prepared.plan.seed,
    resume: prepared.resume,
    signal: hooks.signal,
    environment: describeEnvironment(),
    observer: hooks.observer,
    onProgress: hooks.onProgress,
    checkpoint: hooks.checkpoint,
    shard: prepared.shard,
  });
}

/** The exit code of a finished sweep: 130 interrupted, 4 when a repetition errored or saw errors, else 0. */
export function sweepExitCode(file: SweepResultsFile): ExitCodeValue {
  return file.interrupted ? ExitCode.interrupted : sweepHasErrors(file) ? ExitCode.runErrors : ExitCode.ok;
}
