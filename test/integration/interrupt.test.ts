import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResultsFile } from '../../src/types.js';
import { CLI, ROOT, tempDir } from '../helpers/cli.js';

test('Ctrl-C during a run stops it promptly and keeps the results measured so far', async () => {
  const out = join(tempDir(), 'interrupted.json');
  const child = spawn(process.execPath, [CLI, 'run', '--duration', '60', '--warmup', '0.2', '--streams', '2', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(guard);
  assert.equal(code, 130, stderr);
  assert.ok(Date.now() - interruptedAt < 10_000, 'stopped in bounded time');
  const file = JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
  assert.equal(file.run.stop.reason, 'interrupted');
  assert.ok(file.run.metrics.counters.received > 0);
  assert.ok(file.run.metrics.durationS < 60);
});

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a second Ctrl-C quits at once and still stops the embedded server', async () => {
  const child = spawn(process.execPath, [CLI, 'run', '--duration', '60', '--out', join(tempDir(), 'quit.json')], { cwd: ROOT, stdio: 'ignore' });
  let server: number | undefined;
  for (let i = 0; i < 100 && server === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    server = childrenOf(child.pid as number)[0];
  }
  assert.ok(server !== undefined, 'the embedded server process was started');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  child.kill('SIGINT');
  child.kill('SIGINT');
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(guard);
  assert.equal(code, 130);
  for (let i = 0; i < 30 && alive(server); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(alive(server), false, `embedded server ${server} left running`);
});
