import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { RouteNote__Output } from '../../src/generated/stream/RouteNote.js';
import { loadStreamProto } from '../../src/grpc/proto.js';
import { CAN_PIN, CLI, ROOT, closedPort, isAlive, runCli, startEchoServe, tempDir } from '../helpers/cli.js';

interface Fleet {
  child: ChildProcess;
  targets: string[];
  /** pid of each instance, from the parent's stderr. */
  pids: number[];
  stderr(): string;
  /** SIGTERM (or the signal given), then the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `serve --instances N …` and waits for N ready lines (a hang guard, not a measurement). */
function startFleet(args: string[], instances: number, timeoutMs = 30_000): Promise<Fleet> {
  const child = spawn(process.execPath, [CLI, 'serve', '--instances', String(instances), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const targets: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet not ready within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (targets.length < instances) reject(new Error(`fleet exited with ${code} before it was ready: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^listening on (.+:\d+)$/.exec(line);
      assert.ok(match, `unexpected stdout line ${JSON.stringify(line)}`);
      targets.push(match[1] as string);
      if (targets.length < instances) return;
      clearTimeout(timer);
      const pids = [...stderr.matchAll(/^instance (\d+): pid (\d+), listening on (.+)$/gm)].map((m) => Number(m[2]));
      resolve({
        child,
        targets,
        pids,
        stderr: () => stderr,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const [code, sig] = await exited;
          return { code, signal: sig };
        },
      });
    });
  });
}

/** Waits until none of the pids runs (a hang guard of a few seconds). */
async function gone(pids: readonly number[], timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!pids.some(isAlive)) return true;
    await sleep(50);
  }
  return false;
}

interface ChatOutcome {
  backendId: string | null;
  echoes: string[];
  code: number;
}

/** One RouteChat call with the given notes; the x-backend-id response header, the echoes and the status. */
async function chat(target: string, notes: string[] = ['a', 'b']): Promise<ChatOutcome> {
  const { StreamService } = loadStreamProto().stream;
  const client = new StreamService(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  try {
    const call = client.RouteChat();
    let backendId: string | null = null;
    const echoes: string[] = [];
    call.on('metadata', (md: grpc.Metadata) => {
      const value = md.get('x-backend-id')[0];
      backendId = value === undefined ? null : String(value);
    });
    call.on('data', (note: RouteNote__Output) => echoes.push(note.message));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    for (const message of notes) call.write({ message });
    call.end();
    const { code } = await status;
    return { backendId, echoes, code };
  } finally {
    client.close();
  }
}

test('serve --instances 3: three ready lines with distinct ports, each instance its own x-backend-id; SIGTERM stops all, exit 0', async () => {
  const fleet = await startFleet(['--port', '0'], 3);
  try {
    assert.equal(fleet.targets.length, 3);
    assert.equal(new Set(fleet.targets).size, 3, `distinct ports: ${fleet.targets.join(' ')}`);
    for (const target of fleet.targets) assert.match(target, /^127\.0\.0\.1:\d+$/);
    assert.equal(fleet.pids.length, 3);
    assert.equal(new Set([...fleet.pids, fleet.child.pid]).size, 4, 'each instance is its own process');
    for (const target of fleet.targets) {
      const outcome = await chat(target);
      assert.equal(outcome.code, grpc.status.OK);
      assert.deepEqual(outcome.echoes, ['Server received: a', 'Server received: b']);
      assert.equal(outcome.backendId, target);
    }
  } finally {
    const { code } = await fleet.stop();
    assert.equal(code, 0, fleet.stderr());
  }
  assert.ok(await gone(fleet.pids), `instances still running: ${fleet.pids.filter(isAlive).join(', ')}`);
});

test('serve --port P --instances 3 listens on P, P+1 and P+2', async () => {
  // A free port whose two successors are free too: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await closedPort();
    if (port > 65_533) continue;
    const fleet = await startFleet(['--port', String(port)], 3).catch((error: unknown) => {
      if (attempt < 5 && /cannot listen|EADDRINUSE|No address added/.test(String(error))) return null;
      throw error;
    });
    if (fleet === null) continue;
    try {
      assert.deepEqual(fleet.targets, [`127.0.0.1:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1:${port + 2}`]);
    } finally {
      assert.equal((await fleet.stop()).code, 0);
    }
    return;
  }
});

test('an instance killed with SIGKILL is reported on stderr and the others keep serving', async () => {
  const fleet = await startFleet(['--port', '0'], 3);
  try {
    const victim = fleet.pids[1] as number;
    process.kill(victim, 'SIGKILL');
    const line = new RegExp(`^instance 1 \\(${fleet.targets[1]?.replace(/\./g, '\\.')}, pid ${victim}\\) exited unexpectedly: killed by signal SIGKILL; 2 of 3 instances still serving$`, 'm');
    const until = Date.now() + 10_000;
    while (!line.test(fleet.stderr()) && Date.now() < until) await sleep(50);
    assert.match(fleet.stderr(), line);
    assert.equal(fleet.child.exitCode, null, 'the parent keeps running');
    for (const i of [0, 2]) assert.equal((await chat(fleet.targets[i] as string)).backendId, fleet.targets[i]);
  } finally {
    assert.equal((await fleet.stop()).code, 0, fleet.stderr());
  }
  assert.ok(await gone(fleet.pids));
});

test('when every instance has died the parent exits non-zero and says so', async () => {
  const fleet = await startFleet(['--port', '0'], 2);
  for (const pid of fleet.pids) process.kill(pid, 'SIGKILL');
  const { code } = await fleet.stop('SIGCONT');
  assert.equal(code, 1);
  assert.match(fleet.stderr(), /all 2 fleet instances have exited; nothing is serving/);
});

test('instances stop on their own when the parent is killed with SIGKILL', async () => {
  const fleet = await startFleet(['--port', '0', '--grace-ms', '100'], 2);
  await fleet.stop('SIGKILL');
  assert.ok(await gone(fleet.pids), `instances left behind: ${fleet.pids.filter(isAlive).join(', ')}`);
});

test('bad --instances, --cpus and port ranges exit 2 with a clear message, starting nothing', async () => {
  const cases: [string[], RegExp][] = [
    [['--instances', '0'], /--instances must be an integer from 1 to 64 \(echo-server processes\), got "0"/],
    [['--instances', '65'], /--instances must be an integer from 1 to 64 \(echo-server processes\), got "65"/],
    [['--instances', 'many'], /--instances must be an integer from 1 to 64 \(echo-server processes\), got "many"/],
    [['--instances', '3', '--port', '65534'], /--port 65534 with --instances 3 needs ports 65534 to 65536, but ports end at 65535/],
    [['--instances', '2', '--port', '0', '--prometheus', '65535'], /--prometheus 65535 with --instances 2 needs ports 65535 to 65536/],
  ];
  if (CAN_PIN) {
    cases.push([['--instances', '2', '--port', '0', '--cpus', 'zero'], /--cpus must be a CPU list in taskset syntax such as 0, 0-3 or 0,2 \(CPUs here: [\d,-]+\), got "zero"/]);
    cases.push([['--instances', '2', '--port', '0', '--cpus', '0,999'], /--cpus names CPU 999, which does not exist here or is not allowed for this process/]);
  }
  for (const [args, message] of cases) {
    const result = await runCli(['serve', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

test('--cpus pins instance i to the i-th CPU of the list, round robin', { skip: !CAN_PIN && 'taskset or 2 CPUs missing' }, async () => {
  const fleet = await startFleet(['--port', '0', '--cpus', '1,0'], 3);
  try {
    const affinity = fleet.pids.map((pid) => /:\s*(\S+)\s*$/.exec(execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).trim())?.[1]);
    assert.deepEqual(affinity, ['1', '0', '1']);
  } finally {
    assert.equal((await fleet.stop()).code, 0);
  }
});

test('--prometheus 0 with --instances 2: each instance serves its own metrics, relayed as [instance i]', async () => {
  const fleet = await startFleet(['--port', '0', '--prometheus', '0'], 2);
  try {
    const urls = [0, 1].map((i) => new RegExp(`^\\[instance ${i}\\] metrics on (http://\\S+)$`, 'm').exec(fleet.stderr())?.[1]);
    assert.ok(urls[0] && urls[1] && urls[0] !== urls[1], fleet.stderr());
    await chat(fleet.targets[1] as string);
    const text = await (await fetch(urls[1] as string)).text();
    assert.match(text, /\n\w*streams\w*\S* 1\n/);
  } finally {
    assert.equal((await fleet.stop()).code, 0);
  }
});

test('a single serve sends x-backend-id; a trailers-only rejection still ends with its status', async () => {
  const server = await startEchoServe();
  try {
    const outcome = await chat(server.target);
    assert.equal(outcome.backendId, server.target);
    assert.equal(outcome.code, grpc.status.OK);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const rejecting = await startEchoServe(['--fail-rate', '1']);
  try {
    const outcome = await chat(rejecting.target);
    assert.equal(outcome.code, grpc.status.UNAVAILABLE);
    assert.deepEqual(outcome.echoes, []);
  } finally {
    await rejecting.stop();
  }
  const faulty = await startEchoServe(['--drop-rate', '0.0001']);
  try {
    const outcome = await chat(faulty.target);
    assert.equal(outcome.backendId, faulty.target, 'the fault path sends the header too');
  } finally {
    await faulty.stop();
  }
});

test('serve --instances 1 stays one process; with --cpus it pins itself to the first CPU of the list', { skip: !CAN_PIN && 'taskset or 2 CPUs missing' }, async () => {
  const fleet = await startFleet(['--port', '0', '--cpus', '1,0'], 1);
  try {
    const pid = fleet.child.pid as number;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    assert.equal(children, '', 'no child process');
    assert.doesNotMatch(fleet.stderr(), /instance/);
    assert.equal((await chat(fleet.targets[0] as string)).backendId, fleet.targets[0]);
    assert.match(execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }), /:\s*1\s*$/);
  } finally {
    assert.equal((await fleet.stop()).code, 0);
  }
});

test('--stats with --instances 2: each instance writes its own file, FILE-i', async () => {
  const dir = tempDir();
  const fleet = await startFleet(['--port', '0', '--fail-rate', '1', '--stats', join(dir, 'faults.json')], 2);
  await chat(fleet.targets[1] as string);
  assert.equal((await fleet.stop()).code, 0, fleet.stderr());
  const stats = [0, 1].map((i) => JSON.parse(readFileSync(join(dir, `faults-${i}.json`), 'utf8')) as { streams: { rejected: number } });
  assert.ok(existsSync(join(dir, 'faults-0.json')) && existsSync(join(dir, 'faults-1.json')));
  assert.match(JSON.stringify(stats[1]), /"rejected":1\b/);
  assert.doesNotMatch(JSON.stringify(stats[0]), /"rejected":[1-9]/);
});

test('an instance that cannot start stops the fleet: exit non-zero, the instance and its error named', async () => {
  const taken = await startEchoServe();
  try {
    const result = await runCli(['serve', '--instances', '2', '--port', String(taken.port)]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /fleet instance 0 exited before it was ready \(exit code 1\): .*cannot listen on/s);
    assert.equal(result.stdout, '', 'no ready line');
  } finally {
    await taken.stop();
  }
});
