/**
 * Target lists and client-side load balancing against three real echo server processes:
 * placement of streams per backend (both engines), per-backend figures adding up to the totals,
 * a backend killed mid-run, DNS members, unreachable and non-loopback members.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closedPort, runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';
import type { RunResultsFile, RunRecord } from '../../src/types.js';
import { byBackend } from '../helpers/backends.js';

const dir = tempDir();
let servers: ServerProcess[] = [];
let targets: string[] = [];
let n = 0;

async function run(args: string[], expectCode = 0): Promise<RunRecord> {
  const out = join(dir, `run-${n++}.json`);
  const result = await runCli(['run', '--warmup', '0.2', '--duration', '1', '--out', out, ...args], { timeoutMs: 60_000 });
  assert.equal(result.code, expectCode, `exit ${result.code}\n${result.stderr}\n${result.stdout}`);
  return (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run;
}

function assertAddsUp(run: RunRecord): void {
  const backends = run.metrics.backends ?? [];
  assert.equal(backends.reduce((a, b) => a + b.latencyUs.count, 0), run.metrics.latencyUs.count, 'per-backend histogram counts add up to the total');
  assert.equal(backends.reduce((a, b) => a + b.received, 0), run.metrics.counters.received);
  assert.deepEqual(Object.keys(run.histograms.backendsUs ?? {}).sort(), backends.map((b) => b.backend));
  // Every second of the time series splits its echoes by backend when there are several.
  if (backends.length > 1) {
    for (const point of run.timeSeries) {
      const split = Object.values(point.backends ?? {}).reduce((a, n) => a + n, 0);
      assert.equal(split, point.msgsPerS, `second ${point.second}: ${JSON.stringify(point.backends)} add up to its ${point.msgsPerS} echoes`);
    }
  }
}

before(async () => {
  servers = await Promise.all([startEchoServe(), startEchoServe(), startEchoServe()]);
  targets = servers.map((s) => s.target);
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('round_robin and pick_first place streams on backends', () => {
  for (const engine of ['h2', 'grpc-js'] as const) {
    for (const connections of engine === 'h2' ? [3, 12] : [1]) {
      test(`${engine}: 12 streams, ${connections} connection(s), round_robin → 4 streams on each of 3 backends`, async () => {
        const r = await run(['--engine', engine, '--target', targets.join(','), '--streams', '12', '--connections', String(connections)]);
        assert.equal(r.config.lb, 'round_robin');
        assert.deepEqual(r.config.targets, targets);
        assert.deepEqual(byBackend(r), Object.fromEntries([...targets].sort().map((t) => [t, 4])));
        for (const b of r.metrics.backends ?? []) {
          assert.ok(b.received > 0, `${b.backend} echoed`);
          assert.deepEqual(b.errorsByStatus, {});
        }
        assertAddsUp(r);
      });
    }
    test(`${engine}: pick_first → every stream on the first backend`, async () => {
      const r = await run(['--engine', engine, '--target', targets.join(','), '--streams', '12', '--connections', '3', '--lb', 'pick_first']);
      assert.equal(r.config.lb, 'pick_first');
      assert.deepEqual(byBackend(r), { [targets[0] as string]: 12 });
      assertAddsUp(r);
    });
  }

  test('grpc-js: 3 channels balance their own streams over all backends', async () => {
    const r = await run(['--engine', 'grpc-js', '--target', targets.join(','), '--streams', '12', '--connections', '3']);
    const placed = byBackend(r);
    assert.equal(Object.values(placed).reduce((a, b) => a + b, 0), 12);
    assert.deepEqual(Object.keys(placed).sort(), [...targets].sort());
    assertAddsUp(r);
  });

  test('2 workers, 3 connections: the global connection index spreads them one per backend', async () => {
    const r = await run(['--target', targets.join(','), '--workers', '2', '--connections', '3', '--streams', '3']);
    assert.deepEqual(byBackend(r), Object.fromEntries([...targets].sort().map((t) => [t, 1])));
  });
});

describe('a backend killed mid-run', () => {
  async function killedRun(extra: string[]): Promise<{ run: RunRecord; victim: string }> {
    const victim = await startEchoServe();
    const list = [targets[0] as string, targets[1] as string, victim.target];
    const out = join(dir, `kill-${n++}.json`);
    const killer = setTimeout(() => victim.child.kill('SIGKILL'), 3_000);
    try {
      const result = await runCli(['run', '--target', list.join(','), '--streams', '12', '--connections', '3', '--warmup', '1', '--duration', '4', '--out', out, ...extra], { timeoutMs: 60_000 });
      assert.ok(result.code === 0 || result.code === 4, `exit ${result.code}\n${result.stderr}`);
    } finally {
      clearTimeout(killer);
      await victim.stop();
    }
    return { run: (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run, victim: victim.target };
  }

  test('h2: its streams fail with UNAVAILABLE attributed to it; the others are unaffected', async () => {
    const { run: r, victim } = await killedRun([]);
    const backends = new Map((r.metrics.backends ?? []).map((b) => [b.backend, b]));
    assert.deepEqual(backends.get(victim)?.errorsByStatus, { UNAVAILABLE: 4 });
    for (const live of [targets[0], targets[1]] as string[]) {
      const b = backends.get(live);
      assert.equal(b?.streamsOpened, 4);
      assert.deepEqual(b?.errorsByStatus, {});
      assert.ok((b?.received ?? 0) > (backends.get(victim)?.received ?? 0), 'the live backends echoed over the whole window');
    }
    assert.equal(r.metrics.counters.errorsByStatus.UNAVAILABLE, 4);
    assertAddsUp(r);
    // The time series shows when the victim stopped answering: it echoed in some second before the
    // kill (which one depends on how long the run took to start), not in the last.
    assert.ok(r.timeSeries.some((p) => (p.backends?.[victim] ?? 0) > 0), `the victim echoed in at least one second: ${JSON.stringify(r.timeSeries.map((p) => p.backends))}`);
    assert.equal(r.timeSeries.at(-1)?.backends?.[victim], 0, `no echo from the victim in the last second: ${JSON.stringify(r.timeSeries.at(-1)?.backends)}`);
  });

  test('h2 with --reconnect: the failed streams move to the live backends', async () => {
    const { run: r, victim } = await killedRun(['--reconnect', '--backoff-initial', '50ms', '--backoff-max', '200ms']);
    const backends = new Map((r.metrics.backends ?? []).map((b) => [b.backend, b]));
    assert.equal(backends.get(victim)?.streamsOpened, 4);
    assert.equal(backends.get(victim)?.errorsByStatus.UNAVAILABLE, 4);
    const moved = [targets[0], targets[1]].reduce((a, t) => a + (backends.get(t as string)?.streamsOpened ?? 0), 0);
    assert.equal(moved, 12, 'the 4 reopened streams were answered by the live backends');
    assertAddsUp(r);
  });
});

describe('target lists', () => {
  test('dns:///localhost:PORT resolves and runs', async () => {
    const port = servers[0]?.port as number;
    const r = await run(['--target', `dns:///localhost:${port}`, '--streams', '2']);
    assert.equal(r.config.target, `dns:///localhost:${port}`);
    assert.ok((r.config.targets ?? []).includes(`127.0.0.1:${port}`), JSON.stringify(r.config.targets));
    assert.ok(r.metrics.counters.received > 0);
  });

  test('an unreachable member is exit 3 naming it; --allow-partial runs on the others with a warning', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    const list = [targets[0], dead, targets[1]].join(',');
    const failed = await runCli(['run', '--target', list, '--duration', '1', '--warmup', '0', '--out', join(dir, 'never.json')]);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, new RegExp(`target ${dead} is unreachable.*--allow-partial`));
    const r = await run(['--target', list, '--allow-partial', '--streams', '4', '--connections', '2']);
    assert.deepEqual(r.config.targets, [targets[0], targets[1]]);
    assert.ok(r.warnings.some((w) => w.includes(dead) && w.includes('--allow-partial')), r.warnings.join('\n'));
    assert.deepEqual(byBackend(r), Object.fromEntries([targets[0], targets[1]].sort().map((t) => [t, 2])));
  });

  test('a non-loopback member without --allow-remote is exit 2', async () => {
    const result = await runCli(['run', '--target', `${targets[0]},10.1.2.3:50051`, '--duration', '1']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--target member 10\.1\.2\.3:50051 is not a loopback address .*--allow-remote/);
  });

  test('summary, report and check show the backends', async () => {
    const out = join(dir, 'shown.json');
    const result = await runCli(['run', '--target', targets.join(','), '--streams', '6', '--connections', '3', '--warmup', '0.2', '--duration', '1', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /backend\s+streams\s+echoes\s+msgs\/s/);
    assert.match(result.stdout, /backends\s+3 · lb round_robin · imbalance \d+\.\d%/);
    const md = await runCli(['report', out, '--out', join(dir, 'shown.md')]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(readFileSync(join(dir, 'shown.md'), 'utf8'), /### Per backend/);
    const check = await runCli(['check', '--results', out, '-t', 'backend_imbalance < 1000%']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /backend imbalance \d+\.\d%/);
  });
});
