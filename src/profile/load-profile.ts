import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, describeError } from '../errors.js';
import type { ResolvedProfile } from '../types.js';
import { resolveProfile, type ResolveProfileOptions } from './validate-profile.js';

/** A sweep profile as a document: the JSON of bench/profiles/*.json as an object. */
export interface ProfileDocument {
  description?: string;
  /** Repetitions per cell [default: 3]. */
  repeat?: number;
  /** Fixed run settings (camelCase, as in `run` options): streams, inFlight, warmup, duration … */
  settings?: Record<string, unknown>;
  /** The axes: compression, size and window are required; engine, streams, inFlight, rate … optional. */
  axes: Record<string, readonly (string | number | null)[]>;
}

/** bench/profiles/ of this package (works from src/ through tsx and from dist/). */
export const PROFILES_DIR = fileURLToPath(new URL('../../bench/profiles/', import.meta.url));

/** Names of the profiles shipped in bench/profiles/. */
export function listProfiles(): string[] {
  if (!existsSync(PROFILES_DIR)) return [];
  return readdirSync(PROFILES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => basename(file, '.json'))
    .sort();
}

/** A bare word names a shipped profile; anything with a slash or a .json ending is a path. */
export function profilePath(nameOrPath: string): { name: string; path: string } {
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || extname(nameOrPath) === '.json';
  if (isPath) return { name: basename(nameOrPath, '.json'), path: resolve(nameOrPath) };
  if (!/^[A-Za-z0-9_-]+$/.test(nameOrPath)) {
    throw new ConfigError(`--profile must be a profile name (${listProfiles().join(', ')}) or a path to a .json file, got ${JSON.stringify(nameOrPath)}`);
  }
  return { name: nameOrPath, path: resolve(PROFILES_DIR, `${nameOrPath}.json`) };
}

/** Reads a profile JSON document; the error names the file and what is wrong with it. */
export function readProfileDocument(path: string, name: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const known = listProfiles();
    throw new ConfigError(`profile ${JSON.stringify(name)} not found: cannot read ${path} (${describeError(error)}); shipped profiles: ${known.join(', ') || 'none'}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new ConfigError(`profile ${path} is not valid JSON: ${describeError(error)}`);
  }
}

/** "streams=32" → ["streams", 32]; numbers and true/false are typed, anything else stays text. */
export function parseSetting(text: string): [string, unknown] {
  const match = /^([A-Za-z]+)=(.*)$/.exec(text);
  if (!match) throw new ConfigError(`--set must be KEY=VALUE with KEY a profile setting (e.g. streams=32, duration=2, pacing=timer), got ${JSON.stringify(text)}`);
  const [, key, raw] = match as unknown as [string, string, string];
  const value = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return [key, value];
}

/** Overrides of profile settings: `KEY=VALUE` texts (`--set`), or an object of settings (code). */
export type SettingOverrides = readonly string[] | Readonly<Record<string, unknown>>;

/**
 * The profile document with `--set KEY=VALUE` overrides written into its settings, so they are
 * validated by the same rules (messages say settings.KEY) and recorded in the results file.
 */
export function withSettings(definition: unknown, set: SettingOverrides): unknown {
  const entries = Array.isArray(set) ? (set as readonly string[]).map(parseSetting) : Object.entries(set);
  if (entries.length === 0 || typeof definition !== 'object' || definition === null || Array.isArray(definition)) return definition;
  const doc = definition as Record<string, unknown>;
  const settings = typeof doc.settings === 'object' && doc.settings !== null && !Array.isArray(doc.settings) ? (doc.settings as Record<string, unknown>) : {};
  return { ...doc, settings: { ...settings, ...Object.fromEntries(entries) } };
}

/**
 * Loads and validates a profile: a name from bench/profiles/ (quick, ci, full) or a path to
 * a JSON file. Throws ConfigError whose message starts with the file and names the bad field.
 */
export function loadProfile(nameOrPath: string, options: ResolveProfileOptions & { set?: SettingOverrides } = {}): ResolvedProfile {
  const { name, path } = profilePath(nameOrPath);
  const definition = withSettings(readProfileDocument(path, name), options.set ?? []);
  try {
    return resolveProfile(definition, { name, source: path }, { cpuCount: cpus().length, platform: process.platform }, options);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new ConfigError(`profile ${path}: ${error.message}`);
    throw error;
  }
}

/** The name a profile given as a document (not a file) is recorded under. */
export const INLINE_PROFILE_NAME = 'inline';

/**
 * Validates a profile given as a document, as loadProfile validates a file: messages start
 * with `profile inline:` and name the bad field.
 */
export function resolveProfileDocument(document: unknown, options: ResolveProfileOptions & { set?: SettingOverrides } = {}): ResolvedProfile {
  const definition = withSettings(document, options.set ?? []);
  try {
    return resolveProfile(definition, { name: INLINE_PROFILE_NAME, source: null }, { cpuCount: cpus().length, platform: process.platform }, options);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new ConfigError(`profile ${INLINE_PROFILE_NAME}: ${error.message}`);
    throw error;
  }
}

/** A profile option as code or a flag gives it: a shipped name or a path (loadProfile), or a document. */
export function profileFromOption(profile: unknown, options: ResolveProfileOptions & { set?: SettingOverrides } = {}): ResolvedProfile {
  if (typeof profile === 'object' && profile !== null && !Array.isArray(profile)) return resolveProfileDocument(profile, options);
  if (typeof profile !== 'string') {
    throw new ConfigError(`--profile must be a profile name (${listProfiles().join(', ')}), a path to a .json file or a profile document, got ${JSON.stringify(profile)}`);
  }
  return loadProfile(profile, options);
}
