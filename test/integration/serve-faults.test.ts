import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import type { RouteNote__Output } from '../../src/generated/stream/RouteNote.js';
import { loadStreamProto } from '../../src/grpc/proto.js';
import { createFaultPlan } from '../../src/resilience/fault-plan.js';
import type { FaultStats } from '../../src/resilience/fault-stats.js';
import { decodeRichStatus, STATUS_DETAILS_TRAILER, type RichStatus } from '../../src/resilience/rich-status.js';
import { runCli, startEchoServe, tempDir, type ServerProcess } from '../helpers/cli.js';
import { makeSecurityMaterial } from '../helpers/security-material.js';

const ECHO = 'Server received: ';

interface FaultServer {
  server: ServerProcess;
  /** SIGTERM, wait for exit; the exit code, the `faults:` line and the --stats JSON. */
  stop(): Promise<{ code: number | null; line: string | undefined; stats: FaultStats }>;
}

async function startFaultServe(args: string[]): Promise<FaultServer> {
  const statsFile = join(tempDir(), 'faults.json');
  const server = await startEchoServe([...args, '--stats', statsFile]);
  let stderr = '';
  server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    server,
    stop: async () => {
      const code = await server.stop();
      const line = stderr.split('\n').find((l) => l.startsWith('faults: '));
      return { code, line, stats: JSON.parse(readFileSync(statsFile, 'utf8')) as FaultStats };
    },
  };
}

type Client = InstanceType<ReturnType<typeof loadStreamProto>['stream']['StreamService']>;

function newClient(target: string, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}): Client {
  const { StreamService } = loadStreamProto().stream;
  return new StreamService(target, credentials, { 'grpc.use_local_subchannel_pool': 1, ...options });
}

interface StreamOutcome {
  echoes: string[];
  /** ms after the call started, per echo. */
  echoTimes: number[];
  code: string;
  details: string;
  rich: RichStatus | null;
}

/**
 * One RouteChat call: sends `notes` (every `intervalMs`, or all at once), half-closes, and reports
 * everything that came back.
 */
async function chat(client: Client, notes: string[], options: { intervalMs?: number; metadata?: grpc.Metadata } = {}): Promise<StreamOutcome> {
  const started = performance.now();
  const call = client.RouteChat(options.metadata ?? new grpc.Metadata(), { deadline: Date.now() + 30_000 }); // a hang guard
  const echoes: string[] = [];
  const echoTimes: number[] = [];
  call.on('data', (note: RouteNote__Output) => {
    echoes.push(note.message);
    echoTimes.push(performance.now() - started);
  });
  call.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  let ended = false;
  void status.then(() => (ended = true));
  for (const note of notes) {
    if (ended) break;
    call.write({ message: note });
    if (options.intervalMs !== undefined) await sleep(options.intervalMs);
  }
  call.end();
  const { code, details, metadata } = await status;
  const bin = metadata.get(STATUS_DETAILS_TRAILER)[0];
  return { echoes, echoTimes, code: grpc.status[code], details, rich: bin instanceof Buffer ? decodeRichStatus(bin) : null };
}

const notes = (n: number, prefix = 'note'): string[] => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

/** 200 streams one after another (so they arrive in a known order); the indices of the rejected ones. */
async function rejectedIndices(target: string): Promise<number[]> {
  const client = newClient(target);
  try {
    const rejected: number[] = [];
    for (let k = 0; k < 200; k++) {
      const outcome = await chat(client, [`stream ${k}`]);
      if (outcome.code === 'OK') {
        assert.deepEqual(outcome.echoes, [`${ECHO}stream ${k}`]);
        continue;
      }
      rejected.push(k);
      assert.equal(outcome.code, 'UNAVAILABLE', `stream ${k}: ${outcome.details}`);
      assert.equal(outcome.echoes.length, 0, `stream ${k} was rejected before any echo`);
      assert.equal(outcome.details, 'injected fault: OVERLOADED');
      assert.deepEqual(outcome.rich, { reason: 'OVERLOADED', domain: 'grpc-stream-bench', retryDelayMs: 250 });
    }
    return rejected;
  } finally {
    client.close();
  }
}

test('--fail-rate: rejected streams get the status and rich details, the server counts exactly them, the same seed rejects the same streams', async () => {
  const args = ['--fail-rate', '0.5', '--fail-status', 'UNAVAILABLE', '--fail-reason', 'OVERLOADED', '--retry-after', '250', '--fault-seed', '7'];
  const runs: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const fault = await startFaultServe(args);
    const rejected = await rejectedIndices(fault.server.target);
    const { code, line, stats } = await fault.stop();
    assert.equal(code, 0);
    assert.deepEqual(stats.streams, {
      total: 200,
      accepted: 200 - rejected.length,
      rejected: rejected.length,
      rejectedBy: [{ status: 'UNAVAILABLE', reason: 'OVERLOADED', count: rejected.length }],
      aborted: 0,
    });
    assert.equal(line, `faults: 200 streams, ${rejected.length} rejected (UNAVAILABLE OVERLOADED ×${rejected.length}), 0 aborted, 0 notes dropped, 0 stalls (0 ms), 0 connections aged out`);
    assert.equal(stats.faults.seed, 7);
    runs.push(rejected);
  }
  assert.deepEqual(runs[1], runs[0]);
  // And they are the streams the pure plan of seed 7 picks.
  const plan = createFaultPlan({ seed: 7, failRate: 0.5, dropRate: 0, stall: null });
  assert.deepEqual(runs[0], notes(200).flatMap((_, k) => (plan.rejectNextStream() ? [k] : [])));
  assert.ok(runs[0]!.length > 60 && runs[0]!.length < 140, `${runs[0]!.length} of 200 rejected`);
});

test('--abort-after 3: every stream gets exactly 3 echoes, then ABORTED with ErrorInfo', async () => {
  const fault = await startFaultServe(['--abort-after', '3']);
  const client = newClient(fault.server.target);
  try {
    for (let k = 0; k < 3; k++) {
      const outcome = await chat(client, notes(10, `s${k}`), k === 2 ? { intervalMs: 10 } : {});
      assert.deepEqual(outcome.echoes, [`${ECHO}s${k} 0`, `${ECHO}s${k} 1`, `${ECHO}s${k} 2`]);
      assert.equal(outcome.code, 'ABORTED');
      assert.equal(outcome.details, 'injected fault: INJECTED_FAULT (stream aborted after 3 echoes)');
      assert.deepEqual(outcome.rich, { reason: 'INJECTED_FAULT', domain: 'grpc-stream-bench', retryDelayMs: null });
    }
    // A stream that half-closes before its third echo is not aborted.
    const short = await chat(client, notes(2));
    assert.equal(short.code, 'OK');
    assert.equal(short.echoes.length, 2);
  } finally {
    client.close();
  }
  const { stats, line } = await fault.stop();
  assert.equal(stats.streams.total, 4);
  assert.equal(stats.streams.aborted, 3);
  assert.match(line ?? '', /^faults: 4 streams, 0 rejected, 3 aborted, /);
});

test('--drop-rate 0.2: the echoes missing from 500 notes on one stream are the server\'s dropped count, the rest arrive in order', async () => {
  const fault = await startFaultServe(['--drop-rate', '0.2', '--fault-seed', '3']);
  const client = newClient(fault.server.target);
  let outcome: StreamOutcome;
  try {
    outcome = await chat(client, notes(500));
  } finally {
    client.close();
  }
  const { stats, line } = await fault.stop();
  assert.equal(outcome.code, 'OK');
  const missing = 500 - outcome.echoes.length;
  assert.equal(stats.notes.dropped, missing);
  assert.ok(missing > 60 && missing < 140, `${missing} of 500 dropped`);
  // In order, and exactly the notes the plan of seed 3 keeps.
  const plan = createFaultPlan({ seed: 3, failRate: 0, dropRate: 0.2, stall: null });
  assert.deepEqual(
    outcome.echoes,
    notes(500).filter(() => !plan.dropNextNote()).map((note) => ECHO + note),
  );
  assert.match(line ?? '', new RegExp(`, ${missing} notes dropped, `));
});

test('--stall-every 1 --stall-ms 300: echoes due in a stall arrive late, but all of them, in order', async (t: TestContext) => {
  const fault = await startFaultServe(['--stall-every', '1', '--stall-ms', '300']);
  const client = newClient(fault.server.target);
  let outcome: StreamOutcome;
  try {
    outcome = await chat(client, notes(120), { intervalMs: 20 }); // about 2.5 s
  } finally {
    client.close();
  }
  const { stats } = await fault.stop();
  assert.equal(outcome.code, 'OK');
  assert.deepEqual(outcome.echoes, notes(120).map((note) => ECHO + note));
  assert.ok(stats.stalls.count >= 1, `stalls: ${JSON.stringify(stats.stalls)}`);
  const gaps = outcome.echoTimes.slice(1).map((time, i) => time - outcome.echoTimes[i]!);
  t.diagnostic(`stalls ${JSON.stringify(stats.stalls)}; largest gap between echoes ${Math.round(Math.max(...gaps))} ms (notes every 20 ms)`);
});

/** Every GOAWAY a raw HTTP/2 client gets on an idle connection within `ms`. */
async function goawaysWithin(port: number, ms: number): Promise<Array<{ code: number; lastStreamId: number; data: string }>> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const frames: Array<{ code: number; lastStreamId: number; data: string }> = [];
  session.on('goaway', (code: number, lastStreamId: number, data?: Buffer) => frames.push({ code, lastStreamId, data: data?.toString() ?? '' }));
  session.on('error', () => undefined);
  await sleep(ms);
  session.destroy();
  return frames;
}

test('--max-connection-age 1: a long stream sees its connection go away, new calls work on a new connection, the server counts it', async (t: TestContext) => {
  const fault = await startFaultServe(['--max-connection-age', '1']);
  const client = newClient(fault.server.target);
  try {
    const states: string[] = [];
    const channel = client.getChannel();
    let watching = true;
    const watch = (): void => {
      const state = channel.getConnectivityState(false);
      states.push(grpc.connectivityState[state]);
      channel.watchConnectivityState(state, Date.now() + 10_000, (error) => {
        if (error === undefined && watching) watch();
      });
    };
    watch();
    const outcome = await chat(client, notes(25), { intervalMs: 100 }); // open for about 2.5 s
    watching = false;
    t.diagnostic(`the stream open across the GOAWAY ended ${outcome.code} after ${outcome.echoes.length} of 25 echoes; channel states ${states.join(' → ')}`);
    assert.ok(outcome.code === 'OK' || outcome.code === 'UNAVAILABLE', outcome.code);
    // The GOAWAY took the channel out of READY while the stream was open.
    assert.ok(states.indexOf('IDLE', states.indexOf('READY')) > 0, `channel states: ${states.join(' → ')}`);
    const next = await chat(client, ['after']);
    assert.equal(next.code, 'OK');
    assert.deepEqual(next.echoes, [`${ECHO}after`]);
    // The GOAWAY itself, as a raw HTTP/2 client sees it.
    const frames = await goawaysWithin(fault.server.port, 1_500);
    t.diagnostic(`raw HTTP/2 client: ${JSON.stringify(frames)}`);
    assert.deepEqual(frames[0], { code: http2.constants.NGHTTP2_NO_ERROR, lastStreamId: 2 ** 31 - 1, data: 'max_age' });
  } finally {
    client.close();
  }
  const { stats } = await fault.stop();
  assert.ok(stats.connections.agedOut >= 2, `aged out: ${JSON.stringify(stats.connections)}`);
  assert.ok(stats.connections.opened >= 3, `opened: ${JSON.stringify(stats.connections)}`);
});

test('--max-connection-age-grace: a stream still open after the grace is closed with its connection', async (t: TestContext) => {
  const fault = await startFaultServe(['--max-connection-age', '0.5', '--max-connection-age-grace', '0.5']);
  const client = newClient(fault.server.target);
  try {
    const outcome = await chat(client, notes(25), { intervalMs: 100 });
    t.diagnostic(`ended ${outcome.code} (${outcome.details}) after ${outcome.echoes.length} of 25 echoes`);
    assert.equal(outcome.code, 'UNAVAILABLE');
    assert.ok(outcome.echoes.length < 25);
    assert.equal((await chat(client, ['again'])).code, 'OK');
  } finally {
    client.close();
  }
  const { stats } = await fault.stop();
  assert.ok(stats.connections.agedOut >= 1);
});

test('faults work with --delay-ms and --window: dropped notes do not count toward --abort-after', async () => {
  const fault = await startFaultServe(['--delay-ms', '20', '--window', '1MiB', '--drop-rate', '0.5', '--abort-after', '3', '--fault-seed', '5']);
  const client = newClient(fault.server.target);
  let outcome: StreamOutcome;
  try {
    outcome = await chat(client, notes(20));
  } finally {
    client.close();
  }
  const plan = createFaultPlan({ seed: 5, failRate: 0, dropRate: 0.5, stall: null });
  const kept = notes(20).filter(() => !plan.dropNextNote());
  assert.deepEqual(outcome.echoes, kept.slice(0, 3).map((note) => ECHO + note));
  assert.equal(outcome.code, 'ABORTED');
  const { stats } = await fault.stop();
  assert.equal(stats.streams.aborted, 1);
});

test('with TLS + JWT, streams refused by auth are not injected faults', async () => {
  const m = await makeSecurityMaterial();
  const fault = await startFaultServe(['--tls-cert', m.files.server, '--tls-key', m.files.serverKey, '--jwt-public-key', m.files.jwtPublic, '--fail-rate', '1']);
  const client = newClient(fault.server.target, grpc.credentials.createSsl(Buffer.from(m.pem.ca)), { 'grpc.ssl_target_name_override': 'localhost' });
  try {
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(m.jwtSigningKey);
    const authorized = new grpc.Metadata();
    authorized.set('authorization', `Bearer ${token}`);
    for (let k = 0; k < 3; k++) {
      const refused = await chat(client, ['no token']);
      assert.equal(refused.code, 'UNAUTHENTICATED');
      assert.equal(refused.rich, null);
      const rejected = await chat(client, ['with token'], { metadata: authorized });
      assert.equal(rejected.code, 'UNAVAILABLE');
      assert.equal(rejected.echoes.length, 0);
      assert.deepEqual(rejected.rich, { reason: 'INJECTED_FAULT', domain: 'grpc-stream-bench', retryDelayMs: null });
    }
  } finally {
    client.close();
  }
  const { stats } = await fault.stop();
  assert.equal(stats.streams.total, 3);
  assert.equal(stats.streams.rejected, 3);
});

test('a second signal stops the server at once, and the stats are still written', async () => {
  const fault = await startFaultServe(['--grace-ms', '20000', '--drop-rate', '0.5']);
  const client = newClient(fault.server.target);
  try {
    const call = client.RouteChat();
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    for (const note of notes(10)) call.write({ message: note });
    await sleep(300);
    const exited = once(fault.server.child, 'exit');
    fault.server.child.kill('SIGTERM');
    await sleep(200);
    assert.equal(fault.server.child.exitCode, null, 'the open stream holds the server in its grace period');
    fault.server.child.kill('SIGTERM');
    await exited;
  } finally {
    client.close();
  }
  const { code, stats, line } = await fault.stop();
  assert.equal(code, 0);
  assert.equal(stats.streams.total, 1);
  assert.match(line ?? '', /^faults: 1 stream, 0 rejected, 0 aborted, \d+ notes? dropped/);
});

test('without a fault flag or --stats, serve prints no faults line', async () => {
  const server = await startEchoServe();
  let stderr = '';
  server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  assert.equal(await server.stop(), 0);
  assert.doesNotMatch(stderr, /faults:/);
});

test('bad fault flags: exit 2 with one line, before listening', async () => {
  const notADirectory = join(tempDir(), 'file');
  writeFileSync(notADirectory, '');
  const table: Array<[string[], string]> = [
    [['--stall-ms', '300'], '--stall-ms needs --stall-every (how often the server stalls)'],
    [['--fail-rate', '0.1', '--fail-status', 'NOPE'], '--fail-status must be a gRPC status name other than OK ('],
    [['--drop-rate', '2'], '--drop-rate must be a number from 0 to 1, got "2"'],
    [['--abort-after', '1', '--stats', join(notADirectory, 'faults.json')], `--stats ${join(notADirectory, 'faults.json')}: cannot write the file there (`],
  ];
  for (const [args, message] of table) {
    const result = await runCli(['serve', '--port', '0', ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0]!.startsWith(`grpc-stream-bench: ${message}`), lines[0]);
  }
});
