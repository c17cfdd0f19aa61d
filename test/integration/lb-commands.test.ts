/**
 * Target lists beyond `run`: --allow-partial on sweep and check, chat against a list (its first
 * reachable address), the embedded fleet (run --instances N) balanced round_robin by default,
 * and the per-second per-backend echoes every worker reports (onProgress). Real echo server
 * processes on loopback.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// The build: run() loads in piscina workers, where tsx registers no loader under Node 20.
import { run as runApi } from '../../dist/index.js';
import type { LiveProgress } from '../../src/load/run-load.js';
import type { RunRecord, RunResultsFile, SweepResultsFile } from '../../src/types.js';
import { closedPort, runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';
import { writeTempProfile } from '../helpers/sweep-cli.js';
import { byBackend } from '../helpers/backends.js';

const dir = tempDir();
let servers: ServerProcess[] = [];
let live: string[] = [];
let dead = '';
let n = 0;

before(async () => {
  servers = await Promise.all([startEchoServe(), startEchoServe()]);
  live = servers.map((s) => s.target);
  dead = `127.0.0.1:${await closedPort()}`;
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('--allow-partial on sweep and check', () => {
  const profile = (): string =>
    writeTempProfile({
      description: 'partial target list',
      repeat: 1,
      settings: { streams: 4, connections: 2, warmup: 0, duration: 0.5 },
      axes: { compression: ['identity'], size: [16], window: ['64KiB'] },
    }).profile;

  test('sweep: an unreachable member is exit 3 naming it; with --allow-partial every run loads the others and warns', async () => {
    const list = [live[0], dead, live[1]].join(',');
    const failed = await runCli(['sweep', '--profile', profile(), '--target', list, '--out', join(dir, 'never-sweep.json')], { timeoutMs: 60_000 });
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, new RegExp(`target ${dead} is unreachable.*--allow-partial`));

    const out = join(dir, `sweep-${n++}.json`);
    const result = await runCli(['sweep', '--profile', profile(), '--target', list, '--allow-partial', '--out', out], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const file = JSON.parse(readFileSync(out, 'utf8')) as SweepResultsFile;
    assert.equal(file.repetitions.length, 1);
    const r = file.repetitions[0]?.run as RunRecord;
    assert.equal(r.config.allowPartial, true);
    assert.equal(r.config.lb, 'round_robin');
    assert.deepEqual(r.config.targets, live);
    assert.ok(r.warnings.some((w) => w.includes(dead) && w.includes('--allow-partial')), r.warnings.join('\n'));
    assert.deepEqual(byBackend(r), Object.fromEntries([...live].sort().map((t) => [t, 2])));
  });

  test('check: an unreachable member is exit 3; with --allow-partial it measures the others and judges them', async () => {
    const list = [dead, live[0], live[1]].join(',');
    const flags = ['--streams', '4', '--connections', '2', '--warmup', '0', '--duration', '0.5', '--repeat', '1', '-t', 'errors == 0', '-t', 'backend_imbalance < 1000%'];
    const failed = await runCli(['check', '--target', list, ...flags], { timeoutMs: 60_000 });
    assert.equal(failed.code, 3, failed.stdout + failed.stderr);
    assert.match(failed.stderr, new RegExp(`target ${dead} is unreachable.*--allow-partial`));

    const out = join(dir, `check-${n++}.json`);
    const passed = await runCli(['check', '--target', list, '--allow-partial', ...flags, '--out', out], { timeoutMs: 60_000 });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /backend imbalance \d+\.\d%/);
    const r = (JSON.parse(readFileSync(out, 'utf8')) as SweepResultsFile).repetitions[0]?.run as RunRecord;
    assert.deepEqual(r.config.targets, live);
    assert.ok(r.warnings.some((w) => w.includes(dead)), r.warnings.join('\n'));
  });

  test('check --profile takes --allow-partial too; --results refuses it (exit 2)', async () => {
    const list = [live[0], dead].join(',');
    const measured = await runCli(['check', '--profile', profile(), '--target', list, '--allow-partial', '-t', 'errors == 0'], { timeoutMs: 60_000 });
    assert.equal(measured.code, 0, measured.stdout + measured.stderr);
    const refused = await runCli(['check', '--results', join(dir, 'whatever.json'), '--allow-partial', '-t', 'errors == 0']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--results checks measured results: --allow-partial apply only when check runs the load/);
  });
});

describe('chat --target with a list: its first reachable address', () => {
  test('skips an unreachable member, says which address it used, prints the replies', async () => {
    const result = await runCli(['chat', 'one', 'two', '--target', `${dead},${live[1]},${live[0]}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Server received: one\nServer received: two\n', 'stdout keeps only the replies');
    assert.match(result.stderr, new RegExp(`chat: skipped target ${dead} is unreachable`));
    assert.match(result.stderr, new RegExp(`chat: using ${live[1]} \\(the first reachable address of ${dead},${live[1]},${live[0]}\\)`));
  });

  test('dns:///localhost:PORT works; a single address prints nothing extra', async () => {
    const port = servers[0]?.port as number;
    const viaDns = await runCli(['chat', 'hi', '--target', `dns:///localhost:${port}`]);
    assert.equal(viaDns.code, 0, viaDns.stderr);
    assert.equal(viaDns.stdout, 'Server received: hi\n');
    const single = await runCli(['chat', 'hi', '--target', live[0] as string]);
    assert.equal(single.code, 0, single.stderr);
    assert.equal(single.stderr, '');
  });

  test('no member answering is exit 3 naming each; a remote member is exit 2', async () => {
    const dead2 = `127.0.0.1:${await closedPort()}`;
    const none = await runCli(['chat', '--target', `${dead},${dead2}`]);
    assert.equal(none.code, 3, none.stderr);
    assert.match(none.stderr, /UNAVAILABLE: no member of the --target list .* is reachable/);
    assert.match(none.stderr, new RegExp(`target ${dead} is unreachable.*target ${dead2} is unreachable`));
    const remote = await runCli(['chat', '--target', `${live[0]},10.1.2.3:50051`]);
    assert.equal(remote.code, 2, remote.stderr);
    assert.match(remote.stderr, /--target member 10\.1\.2\.3:50051 is not a loopback address .*--allow-remote/);
  });
});

describe('the embedded fleet: run --instances 2', () => {
  async function fleetRun(extra: string[]): Promise<RunRecord> {
    const out = join(dir, `fleet-${n++}.json`);
    const result = await runCli(['run', '--instances', '2', '--streams', '4', '--connections', '2', '--warmup', '0.2', '--duration', '1', '--out', out, ...extra], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run;
  }

  test('defaults to round_robin over its two addresses, recorded in the config; 2 streams on each', async () => {
    const r = await fleetRun([]);
    assert.equal(r.config.target, null);
    assert.equal(r.config.lb, 'round_robin');
    assert.equal(r.config.targets?.length, 2);
    assert.deepEqual(byBackend(r), Object.fromEntries([...(r.config.targets ?? [])].sort().map((t) => [t, 2])));
  });

  test('--lb pick_first puts every stream on its first instance', async () => {
    const r = await fleetRun(['--lb', 'pick_first']);
    assert.equal(r.config.lb, 'pick_first');
    assert.deepEqual(byBackend(r), { [r.config.targets?.[0] as string]: 4 });
  });
});

test("every second's progress carries each backend's echoes, adding up to the second's echoes", async () => {
  const seconds: LiveProgress[] = [];
  const file = await runApi({ target: live.join(','), streams: 4, connections: 2, workers: 2, warmup: 0.5, duration: 2, onProgress: (p) => seconds.push(p) });
  assert.ok(seconds.length >= 2, `${seconds.length} seconds`);
  for (const s of seconds) {
    assert.deepEqual(s.backends.map((b) => b.backend), [...live].sort(), `second ${s.second}`);
    assert.equal(s.backends.reduce((a, b) => a + b.msgsPerS, 0), s.received, `second ${s.second}: every echo has its backend`);
    // Seconds 1 and 2 lie wholly inside the load (it stops at 2.5 s).
    if (s.second <= 2) for (const b of s.backends) assert.ok(b.msgsPerS > 0, `second ${s.second}: ${b.backend} echoed`);
  }
  assert.equal(file.run.config.lb, 'round_robin');
});
