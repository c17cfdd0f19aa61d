import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveProfile } from '../../src/profile/validate-profile.js';
import type { SweepResultsFile } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { tinyProfile, writeTempProfile } from '../helpers/sweep-cli.js';
import { ENVIRONMENT, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';

await initHistograms();

const readSweep = (path: string): SweepResultsFile => JSON.parse(readFileSync(path, 'utf8')) as SweepResultsFile;

test('--dry-run of the quick profile plans 36 runs within its 60 s budget', async () => {
  const out = await runCli(['sweep', '--profile', 'quick', '--dry-run', '--json', '--seed', '1'], { timeoutMs: 20_000 });
  assert.equal(out.code, 0, out.stderr);
  const plan = JSON.parse(out.stdout) as { cells: string[]; order: unknown[]; estimate: { seconds: number; serverStarts: number } };
  assert.equal(plan.cells.length, 12);
  assert.equal(plan.order.length, 36);
  assert.equal(plan.estimate.serverStarts, 2);
  // npm run bench also builds (a few seconds): the sweep itself must leave room for that.
  assert.ok(plan.estimate.seconds < 50, `quick sweep estimate ${plan.estimate.seconds} s`);
  const text = await runCli(['sweep', '--profile', 'quick', '--dry-run', '--seed', '1'], { timeoutMs: 20_000 });
  assert.match(text.stdout, /cells {6}12 \(compression 2 × size 3 × window 2\)/);
  assert.match(text.stdout, /repeat {5}3 → 36 repetitions/);
  assert.match(text.stdout, /estimate {3}~\d+ s/);
});

test('a bad profile exits 2 before anything runs, naming the field', async () => {
  const { profile } = writeTempProfile({ axes: { compression: ['gzip'], size: [16, 1024, -5], window: [65535] } });
  const out = await runCli(['sweep', '--profile', profile], { timeoutMs: 20_000 });
  assert.equal(out.code, 2);
  assert.match(out.stderr, /axes\.size\[2\] must be an integer from 0 to 4194281 .*got -5/);
  const missing = await runCli(['sweep'], { timeoutMs: 20_000 });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /sweep needs --profile NAME\|FILE/);
});

test('a tiny sweep writes every repetition, aggregates and a pivot table', async () => {
  const { dir, profile } = writeTempProfile(tinyProfile(2));
  const file = join(dir, 'out.json');
  const out = await runCli(['sweep', '--profile', profile, '--out', file, '--seed', '11'], { timeoutMs: 45_000 });
  assert.equal(out.code, 0, out.stderr);
  const sweep = readSweep(file);
  assert.equal(sweep.kind, 'sweep');
  assert.equal(sweep.interrupted, false);
  assert.equal(sweep.seed, 11);
  assert.equal(sweep.cells.length, 4);
  assert.equal(sweep.repetitions.length, 8);
  assert.ok(sweep.repetitions.every((r) => r.status === 'completed' && r.run !== null && r.run.metrics.msgsPerS > 0), JSON.stringify(sweep.repetitions.map((r) => r.error)));
  assert.equal(sweep.aggregates.length, 4);
  for (const a of sweep.aggregates) {
    assert.equal(a.repetitions, 2);
    assert.ok(a.msgsPerS.min <= a.msgsPerS.median && a.msgsPerS.median <= a.msgsPerS.max);
    assert.ok(a.latencyUs.count > 0 && a.histogram.length > 0);
  }
  assert.match(out.stdout, /^size +identity \/ win 65535 B +identity \/ win 1 MiB +gzip \/ win 65535 B +gzip \/ win 1 MiB$/m);
  assert.match(out.stdout, /^16 B +[\d,]+ ±\d+% · [\d.]+ [µm]?s/m);
});

test('SIGINT leaves a valid partial file; --resume runs only the missing repetitions', async () => {
  const { dir, profile } = writeTempProfile(tinyProfile(3));
  const file = join(dir, 'partial.json');
  const interrupted = await runCli(['sweep', '--profile', profile, '--out', file, '--seed', '3'], {
    timeoutMs: 45_000,
    onStart: (child) => {
      // Interrupt once the first checkpoint (2 finished repetitions) is on disk.
      const poll = setInterval(() => {
        if (!existsSync(file)) return;
        try {
          if (readSweep(file).repetitions.length < 2) return;
        } catch {
          return;
        }
        clearInterval(poll);
        child.kill('SIGINT');
      }, 50);
      child.on('exit', () => clearInterval(poll));
    },
  });
  assert.equal(interrupted.code, 130, interrupted.stderr);
  const partial = readSweep(file);
  assert.equal(partial.interrupted, true);
  assert.ok(partial.repetitions.length >= 2 && partial.repetitions.length < 12, `${partial.repetitions.length} repetitions`);
  assert.ok(partial.repetitions.every((r) => r.status === 'completed' && r.run?.stop.reason !== 'interrupted'));
  assert.equal(partial.aggregates.length, new Set(partial.repetitions.map((r) => r.cellId)).size);

  const resumed = await runCli(['sweep', '--resume', file], { timeoutMs: 45_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  const full = readSweep(file);
  assert.equal(full.interrupted, false);
  assert.equal(full.seed, 3);
  assert.equal(full.repetitions.length, 12);
  assert.equal(new Set(full.repetitions.map((r) => `${r.cellId}#${r.repetition}`)).size, 12);
  // The repetitions finished before the interrupt are kept as they were, not run again.
  for (const kept of partial.repetitions) {
    const now = full.repetitions.find((r) => r.cellId === kept.cellId && r.repetition === kept.repetition);
    assert.equal(now?.run?.startedAt, kept.run?.startedAt);
  }
  assert.deepEqual(
    full.repetitions.map((r) => r.order),
    full.repetitions.map((_, i) => i),
  );
});

/** A partial sweep file of the tiny profile with one completed repetition, as a sweep writes it. */
function partialTinySweep(dir: string, edit: (file: SweepResultsFile) => unknown = (f) => f): string {
  const definition = tinyProfile(3);
  const profile = resolveProfile(definition, { name: 'profile', source: null }, { cpuCount: 2, platform: 'linux' });
  const cell = profile.cells[0]!;
  const file: SweepResultsFile = {
    schema: 'grpc-stream-bench/results',
    schemaVersion: 1,
    kind: 'sweep',
    createdAt: '2026-01-01T00:00:00.000Z',
    environment: ENVIRONMENT,
    profile: { name: 'profile', source: null, definition: profile.definition },
    seed: 3,
    repeat: 3,
    interrupted: true,
    cells: profile.cells,
    repetitions: [{ cellId: cell.id, repetition: 0, order: 0, status: 'completed', run: syntheticRun({ msgsPerS: 1000, latencyUs: 100, config: cell.config }), error: null }],
    aggregates: [],
  };
  const path = join(dir, 'partial.json');
  writeFileSync(path, JSON.stringify(edit(file)));
  return path;
}

test('--resume with --target or --repeat is refused (exit 2): the resumed sweep keeps what it recorded', async () => {
  const { dir } = writeTempProfile(tinyProfile(3));
  const file = partialTinySweep(dir);
  const target = await runCli(['sweep', '--resume', file, '--target', '127.0.0.1:50051', '--dry-run'], { timeoutMs: 20_000 });
  assert.equal(target.code, 2, target.stderr);
  assert.match(target.stderr, /--target 127\.0\.0\.1:50051 cannot be used with --resume: the resumed sweep keeps its recorded target/);
  const repeat = await runCli(['sweep', '--resume', file, '--repeat', '5', '--dry-run'], { timeoutMs: 20_000 });
  assert.equal(repeat.code, 2, repeat.stderr);
  assert.match(repeat.stderr, /--repeat 5 cannot be used with --resume: the resumed sweep keeps its recorded repeat/);
  const plain = await runCli(['sweep', '--resume', file, '--dry-run', '--json'], { timeoutMs: 20_000 });
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(plain.stdout) as { pending: number }).pending, 11);
});

test('a malformed or incompatible --resume file is invalid input (exit 2), checked like every results file', async () => {
  const { dir } = writeTempProfile(tinyProfile(3));
  const malformed = partialTinySweep(dir, (f) => ({ ...f, repetitions: [{ ...f.repetitions[0], run: { ...f.repetitions[0]!.run, metrics: undefined } }] }));
  const r = await runCli(['sweep', '--resume', malformed, '--dry-run'], { timeoutMs: 20_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /partial\.json: not a grpc-stream-bench results file \(repetitions\[0\]\.run\.metrics is missing\)/);
  const noSeed = partialTinySweep(dir, (f) => ({ ...f, seed: 'x' }));
  const s = await runCli(['sweep', '--resume', noSeed, '--dry-run'], { timeoutMs: 20_000 });
  assert.equal(s.code, 2, s.stderr);
  assert.match(s.stderr, /seed must be a non-negative integer, got "x"/);
  const runKind = join(dir, 'run.json');
  writeFileSync(runKind, JSON.stringify({ schema: 'grpc-stream-bench/results', schemaVersion: 1, kind: 'run', createdAt: 'x', environment: ENVIRONMENT, run: syntheticRun({ msgsPerS: 1, latencyUs: 1 }) }));
  const k = await runCli(['sweep', '--resume', runKind, '--dry-run'], { timeoutMs: 20_000 });
  assert.equal(k.code, 2, k.stderr);
  assert.match(k.stderr, /--resume .*run\.json: needs a sweep results file, got a "run" file/);
});
