import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, describeError } from '../errors.js';
import type { ResolvedProfile } from '../types.js';
import { resolveProfile, type ResolveProfileOptions } from './validate-profile.js';

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

/**
 * Loads and validates a profile: a name from bench/profiles/ (quick, ci, full) or a path to
 * a JSON file. Throws ConfigError whose message starts with the file and names the bad field.
 */
export function loadProfile(nameOrPath: string, options: ResolveProfileOptions = {}): ResolvedProfile {
  const { name, path } = profilePath(nameOrPath);
  const definition = readProfileDocument(path, name);
  try {
    return resolveProfile(definition, { name, source: path }, { cpuCount: cpus().length, platform: process.platform }, options);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new ConfigError(`profile ${path}: ${error.message}`);
    throw error;
  }
}
