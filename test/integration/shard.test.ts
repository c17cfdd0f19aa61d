import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResultsFile, SweepResultsFile } from '../../src/types.js';
import { runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';
import { writeTempProfile } from '../helpers/sweep-cli.js';

// Two CLI processes start on a loaded 2-core machine in about 1–3 s: the planned start leaves
// them room, so both are ready before it.
const LEAD_MS = 8_000;

let server: ServerProcess;
const dir = tempDir();
before(async () => {
  server = await startEchoServe();
});
after(async () => {
  await server.stop();
});

const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

test('two shards of one run: same run id and start, stream ranges partition the run, each echoes', async () => {
  const startAt = Date.now() + LEAD_MS;
  const common = ['run', '--target', server.target, '--run-id', 'shard-test-1', '--start-at', new Date(startAt).toISOString()];
  const load = ['--workers', '2', '--connections', '3', '--streams', '5', '--rate', '500', '--warmup', '0.3', '--duration', '1'];
  const outs = [join(dir, 'shard-1.json'), join(dir, 'shard-2.json')];
  const results = await Promise.all(
    outs.map((out, k) => runCli([...common, ...load, '--shard', `${k + 1}/2`, '--out', out, ...(k === 1 ? ['--json'] : [])], { timeoutMs: 40_000 })),
  );
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.match(results[0]?.stdout ?? '', /shard 1\/2 of run shard-test-1/);
  const files = outs.map((out) => read<RunResultsFile>(out));
  assert.deepEqual(JSON.parse(results[1]?.stdout ?? ''), files[1], '--json prints the results document');

  const [one, two] = files.map((f) => f.run) as [RunResultsFile['run'], RunResultsFile['run']];
  // The whole run's configuration in both files.
  assert.deepEqual(one.config, two.config);
  assert.equal(one.config.streams, 5);
  assert.equal(one.config.rate, 500);
  for (const [k, run] of [one, two].entries()) {
    const shard = run.shard;
    assert.ok(shard, `shard ${k + 1} records its shard info`);
    assert.equal(shard.index, k + 1);
    assert.equal(shard.count, 2);
    assert.equal(shard.runId, 'shard-test-1');
    assert.equal(typeof shard.host, 'string');
    assert.equal(shard.plannedStartMs, startAt);
    // A hang guard, not a timing claim: both were ready well before the planned start.
    assert.ok(shard.actualStartMs >= startAt && shard.actualStartMs - startAt < 1_000, `shard ${k + 1} started ${shard.actualStartMs - startAt} ms after the planned time`);
    assert.equal(run.timeSeriesStartMs, shard.actualStartMs);
    assert.ok(run.metrics.counters.received > 0, `shard ${k + 1} echoes`);
    assert.equal(run.metrics.errorsTotal, 0);
  }
  // Streams 0–2 and 3–4: a partition of the run's 5 streams.
  assert.deepEqual(one.shard?.streams, { first: 0, count: 3 });
  assert.deepEqual(two.shard?.streams, { first: 3, count: 2 });
  // Each shard sent at the rate of its own streams (300 and 200 msgs/s over about 1 s).
  assert.ok(one.metrics.counters.sent > two.metrics.counters.sent, `${one.metrics.counters.sent} vs ${two.metrics.counters.sent}`);
  assert.ok(one.metrics.counters.sent + two.metrics.counters.sent <= 530, 'together no more than the whole rate');
});

test('an unsharded run records shard: null; --shard 1/1 is the whole run', async () => {
  const out = join(dir, 'whole.json');
  const result = await runCli(['run', '--target', server.target, '--shard', '1/1', '--streams', '2', '--warmup', '0', '--duration', '0.3', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const run = read<RunResultsFile>(out).run;
  assert.deepEqual(run.shard?.streams, { first: 0, count: 2 });
  assert.equal(run.shard?.plannedStartMs, null);
  assert.match(run.shard?.runId ?? '', /^run-/);
  const plain = join(dir, 'plain.json');
  assert.equal((await runCli(['run', '--target', server.target, '--warmup', '0', '--duration', '0.2', '--out', plain])).code, 0);
  assert.equal(read<RunResultsFile>(plain).run.shard, null);
});

test('bad shard flags exit 2 with the message', async () => {
  const cases: [string[], RegExp][] = [
    [['--shard', '3/2', '--run-id', 'x'], /--shard 3\/2: K must be from 1 to N \(2\)/],
    [['--shard', '1/2'], /--run-id is required with --shard 1\/2/],
    [['--shard', '1/2', '--run-id', 'x', '--start-at', '2001-01-01T00:00:00Z'], /--start-at "2001-01-01T00:00:00Z" is .* in the past/],
    [['--shard', '1/4', '--run-id', 'x', '--streams', '3', '--connections', '3'], /the run has 3 streams and 3 connections, too few for 4 shards/],
  ];
  for (const [flags, message] of cases) {
    const result = await runCli(['run', '--target', server.target, ...flags]);
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const embedded = await runCli(['run', '--shard', '1/2', '--run-id', 'x']);
  assert.equal(embedded.code, 2);
  assert.match(embedded.stderr, /run --shard 1\/2 needs --target HOST:PORT/);
});

test('two shards of a sweep: same seed, same cell order, same planned slot starts', async () => {
  const { profile } = writeTempProfile({
    description: 'sharded sweep',
    repeat: 1,
    settings: { streams: 2, connections: 2, inFlight: 2, warmup: 0, duration: 0.3, drainTimeout: 0.5 },
    axes: { compression: ['identity'], size: [16, 64], window: ['64KiB'] },
  });
  const startAt = Date.now() + LEAD_MS;
  const outs = [join(dir, 'sweep-1.json'), join(dir, 'sweep-2.json')];
  const results = await Promise.all(
    outs.map((out, k) =>
      runCli(['sweep', '--profile', profile, '--target', server.target, '--shard', `${k + 1}/2`, '--run-id', 'sweep-test-1', '--start-at', String(startAt), '--out', out], { timeoutMs: 60_000 }),
    ),
  );
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const [one, two] = outs.map((out) => read<SweepResultsFile>(out)) as [SweepResultsFile, SweepResultsFile];
  assert.equal(one.seed, two.seed, 'the seed comes from the run id');
  assert.equal(one.interrupted, false);
  const order = (f: SweepResultsFile): string[] => f.repetitions.map((r) => `${r.order}:${r.cellId}#${r.repetition}`);
  assert.deepEqual(order(one), order(two));
  assert.equal(one.repetitions.length, 2);
  const planned = (f: SweepResultsFile): (number | null | undefined)[] => f.repetitions.map((r) => r.run?.shard?.plannedStartMs);
  assert.deepEqual(planned(one), planned(two));
  const [first, second] = planned(one) as [number, number];
  assert.equal(first, startAt);
  assert.ok(second > first, 'the second slot starts after the first');
  for (const [k, file] of [one, two].entries()) {
    assert.equal(file.shard?.index, k + 1);
    assert.equal(file.shard?.runId, 'sweep-test-1');
    assert.equal(file.shard?.plannedStartMs, startAt);
    assert.deepEqual(file.shard?.streams, { first: k, count: 1 });
    for (const rep of file.repetitions) {
      assert.equal(rep.status, 'completed', rep.error ?? '');
      const shard = rep.run?.shard;
      assert.ok(shard && shard.plannedStartMs !== null);
      // Hang guard: each repetition started in its slot, not long after.
      assert.ok(shard.actualStartMs - shard.plannedStartMs < 1_000, `late by ${shard.actualStartMs - shard.plannedStartMs} ms`);
      assert.ok((rep.run?.metrics.counters.received ?? 0) > 0);
    }
  }

  // The two real shard files merge into one sweep that report reads: each repetition's echoes and
  // histogram counts are the sums of the shards'.
  const mergedPath = join(dir, 'sweep-merged.json');
  const merge = await runCli(['merge', ...outs, '--out', mergedPath], { timeoutMs: 30_000 });
  assert.equal(merge.code, 0, merge.stderr);
  const merged = read<SweepResultsFile>(mergedPath);
  assert.equal(merged.kind, 'sweep');
  assert.deepEqual(order(merged), order(one));
  for (const rep of merged.repetitions) {
    assert.equal(rep.status, 'completed', rep.error ?? '');
    const parts = [one, two].map((f) => f.repetitions.find((r) => r.cellId === rep.cellId && r.repetition === rep.repetition)?.run);
    const sum = (pick: (run: NonNullable<(typeof parts)[number]>) => number): number => parts.reduce((a, run) => a + (run ? pick(run) : 0), 0);
    assert.equal(rep.run?.metrics.counters.received, sum((run) => run.metrics.counters.received));
    assert.equal(rep.run?.metrics.latencyUs.count, sum((run) => run.metrics.latencyUs.count));
  }
  assert.equal(merged.aggregates.length, 2);
  const report = await runCli(['report', mergedPath], { timeoutMs: 30_000 });
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /size/);
});

test('sweep shard errors: --start-at and --target needed, no --resume', async () => {
  const { profile } = writeTempProfile({ description: 't', repeat: 1, settings: { streams: 2, warmup: 0, duration: 0.3 }, axes: { compression: ['identity'], size: [16], window: ['64KiB'] } });
  const startAt = String(Date.now() + 60_000);
  const noStart = await runCli(['sweep', '--profile', profile, '--target', server.target, '--shard', '1/2', '--run-id', 'x']);
  assert.equal(noStart.code, 2);
  assert.match(noStart.stderr, /sweep --shard 1\/2 needs --start-at TIME/);
  const embedded = await runCli(['sweep', '--profile', profile, '--shard', '1/2', '--run-id', 'x', '--start-at', startAt]);
  assert.equal(embedded.code, 2);
  assert.match(embedded.stderr, /sweep --shard 1\/2 needs --target HOST:PORT/);
  const resume = await runCli(['sweep', '--resume', join(dir, 'sweep-1.json'), '--shard', '1/2', '--run-id', 'x', '--start-at', startAt]);
  assert.equal(resume.code, 2, resume.stderr);
  assert.match(resume.stderr, /--shard, --run-id and --start-at cannot be used with --resume/);
});

test('sweep --dry-run --json lists the planned slot starts, alike on every shard', async () => {
  const { profile } = writeTempProfile({ description: 't', repeat: 2, settings: { streams: 2, connections: 2, warmup: 0, duration: 0.3 }, axes: { compression: ['identity', 'gzip'], size: [16], window: ['64KiB'] } });
  const startAt = Date.now() + 60_000;
  const plans = await Promise.all(
    [1, 2].map((k) => runCli(['sweep', '--profile', profile, '--target', server.target, '--shard', `${k}/2`, '--run-id', 'dry', '--start-at', String(startAt), '--dry-run', '--json'])),
  );
  const [a, b] = plans.map((p) => {
    assert.equal(p.code, 0, p.stderr);
    return JSON.parse(p.stdout) as { seed: number; order: unknown[]; slots: number[] };
  }) as [{ seed: number; order: unknown[]; slots: number[] }, { seed: number; order: unknown[]; slots: number[] }];
  assert.equal(a.slots.length, 4);
  assert.equal(a.slots[0], startAt);
  assert.deepEqual(a.slots, b.slots);
  assert.deepEqual(a.order, b.order);
  assert.equal(a.seed, b.seed);
});
