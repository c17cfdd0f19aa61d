/**
 * Shards on separate network hosts (Linux network namespaces on one bridge): an echo server on
 * one host, three generator shards on three others, all started at one --start-at, then merged
 * with the `merge` command. Needs root; skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResultsFile } from '../../src/types.js';
import { CLI, ROOT, runCli, startServerProcess, tempDir, type ServerProcess } from '../helpers/cli.js';
import { cleanLeftovers, createNetwork, leftovers, netnsUnavailable, type NetnsHost, type NetnsNetwork } from '../helpers/netns.js';

const unavailable = netnsUnavailable();
const SHARDS = 3;
/** Time for three node processes to start (on 2 busy shared cores) before the common start. */
const LEAD_MS = 10_000;

interface ShardProcess {
  child: ChildProcess;
  out: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startShard(host: NetnsHost, args: string[], out: string): ShardProcess {
  const child = spawn(host.exec[0] as string, [...host.exec.slice(1), process.execPath, CLI, 'run', ...args, '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shard on ${host.name} did not finish within 60 s: ${stderr}`));
    }, 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
  return { child, out, done };
}

describe('shards on separate network hosts', { skip: unavailable ?? false }, () => {
  let network: NetnsNetwork | undefined;
  let server: ServerProcess | undefined;
  const dir = tempDir();

  before(async () => {
    network = createNetwork(1 + SHARDS);
    const serverHost = network.hosts[0] as NetnsHost;
    server = await startServerProcess(serverHost.exec[0] as string, [...serverHost.exec.slice(1), process.execPath, CLI, 'serve', '--host', serverHost.address, '--allow-remote', '--port', '0']);
  });

  after(async () => {
    await server?.stop();
    network?.destroy();
    assert.deepEqual(leftovers(), [], 'every namespace and veth removed');
  });

  /** Runs the shards (shard K on host K) with the same run id and start time; returns their result paths. */
  function runShards(name: string, flags: string[], leadMs = LEAD_MS): ShardProcess[] {
    const startAt = String(Date.now() + leadMs);
    return Array.from({ length: SHARDS }, (_, i) => {
      const host = network?.hosts[i + 1] as NetnsHost;
      const args = ['--target', server?.target as string, '--allow-remote', '--shard', `${i + 1}/${SHARDS}`, '--run-id', name, '--start-at', startAt, '--client-cpus', 'none', ...flags];
      return startShard(host, args, join(dir, `${name}-${i + 1}.json`));
    });
  }

  async function finished(shards: ShardProcess[]): Promise<RunResultsFile[]> {
    for (const s of shards) {
      const r = await s.done;
      assert.equal(r.code, 0, `shard ${s.out}: ${r.stderr}`);
    }
    return shards.map((s) => JSON.parse(readFileSync(s.out, 'utf8')) as RunResultsFile);
  }

  async function merge(paths: string[], out: string, extra: string[] = []): Promise<RunResultsFile> {
    const result = await runCli(['merge', ...paths, '--out', out, ...extra]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
  }

  it('merges closed-loop shards exactly: echoes and histogram counts add up, streams split evenly and disjointly', async () => {
    const streams = 8;
    const shards = runShards('closed', ['--connections', '3', '--streams', String(streams), '--in-flight', '4', '--warmup', '0.5', '--duration', '2']);
    const files = await finished(shards);
    const merged = (await merge(shards.map((s) => s.out), join(dir, 'closed-merged.json'))).run;
    const sum = (f: (file: RunResultsFile) => number): number => files.reduce((n, file) => n + f(file), 0);
    assert.ok(sum((f) => f.run.metrics.counters.received) > 0);
    assert.equal(merged.metrics.counters.received, sum((f) => f.run.metrics.counters.received));
    assert.equal(merged.metrics.counters.receivedInWindow, sum((f) => f.run.metrics.counters.receivedInWindow));
    assert.equal(merged.metrics.latencyUs.count, sum((f) => f.run.metrics.latencyUs.count));
    assert.equal(merged.metrics.errorsTotal, 0);
    const ranges = files.map((f) => f.run.shard?.streams).sort((a, b) => (a?.first ?? 0) - (b?.first ?? 0));
    let next = 0;
    for (const range of ranges) {
      assert.ok(range, 'every shard records its stream range');
      assert.equal(range.first, next, 'ranges are disjoint and leave no gap');
      assert.ok(Math.abs(range.count - streams / SHARDS) <= 1, `shard streams ${range.count} ≈ ${streams}/${SHARDS}`);
      next += range.count;
    }
    assert.equal(next, streams, 'ranges cover every stream');
    assert.equal(merged.merged?.shards.length, SHARDS);
    assert.equal(typeof merged.merged?.maxStartSkewMs, 'number');
  });

  it('merges an open-loop sharded run to the configured rate (± 2 %) with disjoint stream ranges', async () => {
    const rate = 3000;
    const streams = 6;
    const shards = runShards('open', ['--connections', '3', '--streams', String(streams), '--rate', String(rate), '--pacing', 'timer', '--warmup', '1', '--duration', '3'], 1.5 * LEAD_MS);
    const files = await finished(shards);
    const merged = (await merge(shards.map((s) => s.out), join(dir, 'open-merged.json'))).run;
    const sentRate = merged.metrics.counters.sent / merged.metrics.durationS;
    assert.ok(Math.abs(sentRate - rate) / rate <= 0.02, `merged send rate ${sentRate.toFixed(1)} msgs/s, asked ${rate} (shards: ${files.map((f) => f.run.metrics.counters.sent).join(', ')} in ${merged.metrics.durationS} s; start skew ${merged.merged?.maxStartSkewMs} ms)`);
    for (const f of files) assert.equal(f.run.config.rate, rate, 'each shard records the whole run');
    const ranges = files.map((f) => f.run.shard?.streams as { first: number; count: number });
    const owners = new Map<number, number>();
    ranges.forEach((r, shard) => {
      for (let s = r.first; s < r.first + r.count; s++) {
        assert.equal(owners.has(s), false, `stream ${s} sent by shards ${owners.get(s)} and ${shard + 1}`);
        owners.set(s, shard + 1);
      }
    });
    assert.equal(owners.size, streams);
  });

  it('refuses to merge without a shard killed mid-run, and marks the result partial with --allow-missing', async () => {
    const shards = runShards('killed', ['--connections', '3', '--streams', '6', '--in-flight', '2', '--warmup', '0.5', '--duration', '4']);
    const victim = shards[SHARDS - 1] as ShardProcess;
    await new Promise((resolve) => setTimeout(resolve, LEAD_MS + 1500));
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(existsSync(victim.out), false, 'the killed shard wrote no results');
    await finished(shards.slice(0, SHARDS - 1));
    const paths = shards.slice(0, SHARDS - 1).map((s) => s.out);
    const refused = await runCli(['merge', ...paths, '--out', join(dir, 'killed-merged.json')]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `grpc-stream-bench: shard 3 of 3 of run "killed" is missing (given: 1, 2); pass --allow-missing to merge the others into a partial result\n`);
    const partial = (await merge(paths, join(dir, 'killed-partial.json'), ['--allow-missing'])).run;
    assert.equal(partial.merged?.partial, true);
    assert.deepEqual(partial.merged?.missing, [3]);
    assert.ok(partial.warnings.some((w) => w.startsWith('partial: shard 3 of 3 missing')));
  });
});

describe('network namespace fixture', { skip: unavailable ?? false }, () => {
  it("removes a crashed run's namespaces and veths (its process gone), not a live one's", () => {
    const dead = spawnSync('true').pid as number;
    spawnSync('ip', ['netns', 'add', `gsbm-${dead}-h0`]);
    spawnSync('ip', ['link', 'add', `gm${dead}h0`, 'type', 'veth', 'peer', 'name', `gm${dead}s0`]);
    assert.equal(leftovers(dead).length, 3);
    cleanLeftovers();
    assert.deepEqual(leftovers(dead), []);
  });
});

if (unavailable !== null) {
  describe('shards on separate network hosts', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
}
