import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../types.js';

const require = createRequire(import.meta.url);
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function packageVersion(path: string): string {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${out}-dirty` : out;
  } catch {
    return null;
  }
}

export function harnessVersion(): string {
  return packageVersion(`${PACKAGE_ROOT}package.json`);
}

/** What produced a result: versions, machine and commit. */
export function describeEnvironment(): Environment {
  return {
    harnessVersion: harnessVersion(),
    node: process.version,
    grpcJs: packageVersion(require.resolve('@grpc/grpc-js/package.json')),
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus().length,
    totalMemoryBytes: totalmem(),
    gitCommit: gitCommit(),
  };
}
