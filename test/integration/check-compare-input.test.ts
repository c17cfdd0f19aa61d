/**
 * check and compare on inputs that must be refused before any load runs (exit 2), and on cells
 * without a completed repetition (compare: flagged, exit 0; check: a FAIL, exit 5).
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SweepResultsFile } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { tinyProfile, writeTempProfile } from '../helpers/sweep-cli.js';
import { initHistograms, repetitionsFile } from '../helpers/synthetic-results.js';

await initHistograms();

const dir = tempDir();
const BASE = [
  { msgsPerS: 50_000, latencyUs: 200 },
  { msgsPerS: 51_200, latencyUs: 204 },
  { msgsPerS: 49_300, latencyUs: 197 },
];
const write = (name: string, file: SweepResultsFile): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(file));
  return path;
};
const allErrored = (file: SweepResultsFile): SweepResultsFile => ({ ...file, repetitions: file.repetitions.map((r) => ({ ...r, status: 'errored' as const, run: null, error: 'boom' })) });
const baseline = write('baseline.json', repetitionsFile(BASE));
const broken = write('broken.json', allErrored(repetitionsFile(BASE)));
const NO_PIN = ['--server-cpus', 'none', '--client-cpus', 'none'];

describe('check refuses too few planned repetitions before any load', () => {
  it('--profile with --repeat 2 and a relative threshold: exit 2, nothing measured', async () => {
    const { profile } = writeTempProfile(tinyProfile(3));
    const out = join(dir, 'profile-out.json');
    const r = await runCli(['check', '--profile', profile, '--repeat', '2', '--baseline', baseline, '-t', 'p99 regress < 10%', '--out', out], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /threshold "p99 regress < 10%" is relative: --repeat 2 gives 2 repetitions per cell, and a significance test needs at least 3; use --repeat 3 or more/);
    assert.equal(existsSync(out), false, 'nothing was measured');
  });
  it('a profile that repeats 2 times: exit 2 naming the profile', async () => {
    const { profile } = writeTempProfile(tinyProfile(2));
    const r = await runCli(['check', '--profile', profile, '--baseline', baseline, '-t', 'p99 regress < 10%'], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is relative: profile profile gives 2 repetitions per cell/);
  });
  it('--ab --repeat 2: exit 2, nothing measured', async () => {
    const out = join(dir, 'ab-out.json');
    const r = await runCli(['check', '--ab', '--candidate', 'compression=gzip', '--repeat', '2', '--duration', '0.3', '--warmup', '0', ...NO_PIN, '-t', 'msgs_per_s regress < 10%', '--out', out], {
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--repeat 2 gives 2 repetitions per side/);
    assert.equal(existsSync(out), false, 'nothing was measured');
  });
});

describe('check --profile and run flags', () => {
  it('run flags other than --target cannot be combined with a profile (exit 2, nothing measured)', async () => {
    const out = join(tempDir(), 'never.json');
    const r = await runCli(['check', '--profile', 'quick', '--size', '1024', '-t', 'errors == 0', '--out', out], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--profile fixes the run settings: --size cannot be combined with it/);
    assert.equal(existsSync(out), false);
  });
});

describe('check --candidate accepts every run flag', () => {
  it('pacing is a run flag: its value is validated like --pacing (exit 2 before any load)', async () => {
    const r = await runCli(['check', '--ab', '--candidate', 'pacing=bogus', '-t', 'errors == 0'], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--pacing must be one of spin, timer/);
  });
  it('--candidate pacing=timer runs an open-loop A/B', async () => {
    const r = await runCli(['check', '--ab', '--candidate', 'pacing=timer', '--rate', '200', '--duration', '0.3', '--warmup', '0', '--repeat', '1', ...NO_PIN, '-t', 'errors == 0'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(pacing=timer\)/);
  });
  it('a switch takes true or false', async () => {
    const r = await runCli(['check', '--ab', '--candidate', 'verify=yes', '-t', 'errors == 0'], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--candidate verify=yes: verify is a switch, give verify=true or verify=false/);
  });
});

describe('cells without a completed repetition', () => {
  it('compare flags the pair and exits 0 (text, md, json)', async () => {
    for (const format of ['text', 'md', 'json']) {
      const r = await runCli(['compare', baseline, broken, '--format', format], { timeoutMs: 20_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /no completed repetition on side B \(3 errored\)/);
    }
  });
  it('check: a relative threshold on a candidate without one fails (exit 5)', async () => {
    const r = await runCli(['check', '--results', broken, '--baseline', baseline, '-t', 'msgs_per_s regress < 10%'], { timeoutMs: 20_000 });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /FAIL +no completed repetition +no completed candidate repetition \(3 errored\)/);
  });
  it('check: a baseline cell without one is invalid input (exit 2)', async () => {
    const r = await runCli(['check', '--results', baseline, '--baseline', broken, '-t', 'msgs_per_s regress < 10%'], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /baseline .*broken\.json has no completed repetition/);
  });
});
