/**
 * The gate end to end against real echo servers on loopback: a baseline made against the echo
 * server passes against the same server and fails against `serve --delay-ms 2`; the A/B mode
 * measures both interleaved in one invocation. Runs are 1 s; thresholds are generous so that
 * only the 2 ms delay (≥ 10× the loopback latency) can trip them.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CAN_PIN, runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';

// Servers on CPU 0, the generator on CPU 1: unpinned ping-pong flips between same-core and
// cross-core hand-offs, which alone moves p50 several-fold between runs.
const PIN = CAN_PIN ? ['--client-cpus', '1'] : [];
const LOAD = ['--duration', '1', '--warmup', '0.3', '--streams', '2', '--in-flight', '1', ...PIN];
// The 2 ms delay is ≥ 10× the loopback round trip: p50 rises > 1000%, msgs/s falls > 80%.
const GATE = ['-t', 'p50 regress < 400%', '-t', 'msgs_per_s regress < 70%', '-t', 'errors == 0'];

describe('check end to end', () => {
  const dir = tempDir();
  let fast: ServerProcess;
  let slow: ServerProcess;
  before(async () => {
    [fast, slow] = await Promise.all([startEchoServe([], { cpus: '0' }), startEchoServe(['--delay-ms', '2'], { cpus: '0' })]);
  });
  after(async () => {
    await Promise.all([fast?.stop(), slow?.stop()]);
  });

  /** Three runs per side, interleaved (a, b, c, a, b, c, …) so machine drift hits every side alike. */
  const runInterleaved = async (sides: Array<{ name: string; target: string }>): Promise<string[][]> => {
    const files: string[][] = sides.map(() => []);
    for (let i = 0; i < 3; i++) {
      for (const [s, side] of sides.entries()) {
        const out = join(dir, `${side.name}-${i}.json`);
        const r = await runCli(['run', '--target', side.target, ...LOAD, '--out', out], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stderr);
        files[s]!.push(out);
      }
    }
    return files;
  };

  it('a baseline against the echo server passes against it and fails against serve --delay-ms 2', { timeout: 120_000 }, async () => {
    const [baseline, same, delayed] = (await runInterleaved([
      { name: 'baseline', target: fast.target },
      { name: 'same', target: fast.target },
      { name: 'delayed', target: slow.target },
    ])) as [string[], string[], string[]];
    const summary = join(dir, 'summary.md');

    const pass = await runCli(['check', '--results', ...same, '--baseline', ...baseline, ...GATE, '--summary', summary]);
    assert.equal(pass.code, 0, `${pass.stdout}\n${pass.stderr}`);
    assert.match(pass.stdout, /check passed: all 3 threshold checks passed/);

    const fail = await runCli(['check', '--results', ...delayed, '--baseline', ...baseline, ...GATE], { env: { GITHUB_STEP_SUMMARY: summary } });
    assert.equal(fail.code, 5, `${fail.stdout}\n${fail.stderr}`);
    assert.match(fail.stdout, /"p50 regress < 400%"\s+.*FAIL \(significant\)/);
    assert.match(fail.stdout, /"msgs_per_s regress < 70%"\s+.*FAIL \(significant\)/);
    assert.match(fail.stdout, /check failed: 2 of 3 threshold checks failed/);

    const md = readFileSync(summary, 'utf8');
    assert.match(md, /### ✅ grpc-stream-bench check passed/);
    assert.match(md, /### ❌ grpc-stream-bench check failed: 2 of 3/);

    const compare = await runCli(['compare', baseline[0]!, delayed[0]!, '--format', 'json']);
    assert.equal(compare.code, 0, compare.stderr);
    const json = JSON.parse(compare.stdout) as { pairs: { metrics: { metric: string; b: number; a: number }[] }[] };
    const p50 = json.pairs[0]!.metrics.find((m) => m.metric === 'p50')!;
    assert.ok(p50.b >= 2000 && p50.b > p50.a, `delayed p50 ${p50.b} µs, baseline ${p50.a} µs`);
  });

  it('A/B: baseline and candidate servers measured interleaved in one invocation', { timeout: 120_000 }, async () => {
    const out = join(dir, 'ab.json');
    const ab = await runCli(['check', '--ab', '--target', fast.target, '--candidate-target', slow.target, ...LOAD, '--repeat', '3', '--seed', '1', '--out', out, '-t', 'p50 regress < 400%'], {
      timeoutMs: 90_000,
    });
    assert.equal(ab.code, 5, `${ab.stdout}\n${ab.stderr}`);
    assert.match(ab.stdout, /A\/B: baseline 127\.0\.0\.1:\d+ vs candidate 127\.0\.0\.1:\d+, interleaved, 3\+3 repetitions, seed 1/);
    assert.match(ab.stdout, /candidate vs baseline\s+FAIL \(significant\)/);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; repetitions: { cellId: string; order: number }[] };
    assert.equal(file.kind, 'sweep');
    const order = [...file.repetitions].sort((x, y) => x.order - y.order).map((r) => r.cellId);
    assert.equal(order.length, 6);
    assert.ok(order.some((id, i) => i > 0 && id !== order[i - 1]), 'sides are interleaved');

    const cmp = await runCli(['compare', out, '--a', 'side=baseline', '--b', 'side=candidate']);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(cmp.stdout, /p50\s+.*worse/);
  });

  it('invalid input exits 2 before anything runs', async () => {
    const bad = await runCli(['check', '--results', 'x.json', '-t', 'p99 < 5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid threshold "p99 < 5": p99 is a latency: give a unit/);
    const missing = await runCli(['check', '--results', join(dir, 'none.json'), '-t', 'errors == 0']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /results file .*none\.json does not exist/);
    const noBase = await runCli(['check', '--target', fast.target, '-t', 'p99 regress < 10%']);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /threshold "p99 regress < 10%" is relative to a baseline: give --baseline FILE, or measure one with --ab/);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ schema: 'something-else' }));
    const incompatible = await runCli(['check', '--target', fast.target, '--baseline', other, '-t', 'p99 regress < 10%']);
    assert.equal(incompatible.code, 2);
    assert.match(incompatible.stderr, /other\.json: not a grpc-stream-bench results file/);
  });
});
