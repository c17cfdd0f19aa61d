/**
 * One conformance suite, run for every client engine: the same servers (our grpc-js echo
 * server, the seed's Go server, the raw node:http2 fixture with its misbehaving modes) must give
 * the same replies, counters and gRPC status names whichever engine drives them, through the
 * built CLI (`chat` and `run`). The statuses expected are what the real grpc-js client reports for
 * each misbehaviour. Timing is never asserted; the only time limits are hang guards.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ENGINES, type EngineName } from '../../src/engine/transport.js';
import type { RunResultsFile } from '../../src/types.js';
import { closedPort, runCli, serverPool, startEchoServe, startRawServer, tempDir, type CliResult, type ServerProcess } from '../helpers/cli.js';
import { GO_PEERS_SKIP, startGoServer } from '../helpers/peers.js';

const dir = tempDir();
const SEED = ['Hello', 'World', 'How', 'Are', 'You'];
const SEED_REPLIES = SEED.map((m) => `Server received: ${m}`);
/** Largest --size with the default 4 MiB max message size: the echo adds 17 bytes of prefix and 6 of protobuf/gRPC framing. */
const LARGEST_SIZE = 4 * 1024 * 1024 - 23;
/** Hang guards (never measurements). */
const CLI_TIMEOUT_MS = 30_000;
const UNREACHABLE_TIMEOUT_MS = 15_000;

// Servers are started on first use and shared by both engines' suites (one process each).
const { shared, stopAll } = serverPool();
const ownServer = (): Promise<ServerProcess> => shared('serve', () => startEchoServe());
const goServer = (kind: 'plain' | 'gzip'): Promise<ServerProcess> => shared(`go-${kind}`, () => startGoServer(kind));
const fixture = (...modeAndArgs: string[]): Promise<ServerProcess> => shared(`raw ${modeAndArgs.join(' ')}`, () => startRawServer(modeAndArgs[0] as string, ...modeAndArgs.slice(1)));

after(stopAll);

let runs = 0;
interface RunOutcome {
  result: CliResult;
  /** The results file; null when the run wrote none (e.g. unreachable target). */
  file: RunResultsFile | null;
}

/** `run` against `target` with no warm-up, nothing pinned, and a results file to read back. */
async function run(engine: EngineName, target: string, args: string[], timeoutMs = CLI_TIMEOUT_MS): Promise<RunOutcome> {
  const out = join(dir, `run-${engine}-${++runs}.json`);
  const result = await runCli(['run', '--target', target, '--engine', engine, '--warmup', '0', '--client-cpus', 'none', '--out', out, ...args], { timeoutMs });
  const file = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile) : null;
  return { result, file };
}

/** Asserts a run exited `code` and wrote its results file; returns the file. */
function expectRun(outcome: RunOutcome, code: number): RunResultsFile {
  assert.equal(outcome.result.code, code, `exit code; stderr: ${outcome.result.stderr}`);
  assert.ok(outcome.file !== null, `results file written; stderr: ${outcome.result.stderr}`);
  return outcome.file;
}

/** Asserts a run exited 0 with every measured message echoed and verified, and no error of any kind. */
function expectClean(outcome: RunOutcome, messages: number): RunResultsFile {
  const file = expectRun(outcome, 0);
  const { counters, errorsTotal } = file.run.metrics;
  assert.equal(counters.sent, messages);
  assert.equal(counters.received, counters.sent);
  assert.equal(counters.mismatches, 0);
  assert.equal(counters.unanswered, 0);
  assert.equal(counters.streamsEndedEarly, 0);
  assert.deepEqual(counters.errorsByStatus, {});
  assert.equal(errorsTotal, 0);
  assert.equal(file.run.stop.reason, 'messages');
  return file;
}

function chat(engine: EngineName, target: string, args: string[] = [], timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
  return runCli(['chat', '--target', target, '--engine', engine, ...args], { timeoutMs });
}

function replyLines(result: CliResult): string[] {
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** Bytes of one RouteNote { message } of `size` bytes in its gRPC length-prefixed frame. */
function grpcFrameBytes(size: number): number {
  let varintBytes = 1;
  while (size >= 2 ** (7 * varintBytes)) varintBytes++;
  return 5 + 1 + varintBytes + size;
}

/** The h2 engine sees its DATA bytes: with gzip both ways they are well under the payload bytes. */
function expectCompressedWire(engine: EngineName, file: RunResultsFile, direction: 'sent' | 'both'): void {
  const { wire, counters, payload } = file.run.metrics;
  assert.equal(payload.compressibility, 50);
  if (engine !== 'h2') return assert.equal(wire, null, 'only the h2 engine counts wire bytes');
  assert.ok(wire !== null, 'the h2 engine counts wire bytes');
  // 50% compressible payloads: gzip roughly halves them; uncompressed they would be ~101%.
  assert.ok(wire.bytesSent < 0.75 * counters.bytesSent, `wire sent ${wire.bytesSent} vs payload ${counters.bytesSent}`);
  if (direction === 'both') assert.ok(wire.bytesReceived < 0.75 * counters.bytesReceived, `wire received ${wire.bytesReceived} vs payload ${counters.bytesReceived}`);
}

/** A server that breaks the protocol or ends streams abnormally, and what both engines must report. */
interface Misbehaviour {
  title: string;
  /** Raw fixture mode and argument. */
  fixture: string[];
  /** The gRPC status name both engines report (what the grpc-js client reports). */
  status: string;
  /** The error category both engines count it under (src/resilience/error-class.ts). */
  category: string;
  /** Extra flags for chat and run (e.g. --compression gzip). */
  flags?: string[];
  /** Via chat: its exit code, the replies printed before the failure and the status details; undefined: not via chat. */
  chat?: { exit: number; replies: number; details?: string };
  /** Via run: extra flags, streams (all on one connection), echoes every stream gets before it fails. */
  run: { flags?: string[]; streams: number; echoesPerStream: number | 'all' };
}

const MISBEHAVIOURS: Misbehaviour[] = [
  {
    title: 'trailers-only UNIMPLEMENTED (12) with a percent-encoded message',
    fixture: ['trailers-only', '12'],
    status: 'UNIMPLEMENTED',
    category: 'rejected',
    chat: { exit: 4, replies: 0, details: 'café closed now' },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'trailers-only UNAUTHENTICATED (16)',
    fixture: ['trailers-only', '16'],
    status: 'UNAUTHENTICATED',
    category: 'auth',
    chat: { exit: 4, replies: 0, details: 'café closed now' },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'trailers without grpc-status after all echoes',
    fixture: ['no-status'],
    status: 'UNKNOWN',
    category: 'protocol',
    chat: { exit: 4, replies: 5 },
    run: { streams: 2, echoesPerStream: 'all' },
  },
  {
    title: 'RST_STREAM INTERNAL_ERROR after 2 echoes',
    fixture: ['rst-after', '2'],
    status: 'INTERNAL',
    category: 'transport',
    chat: { exit: 4, replies: 2 },
    run: { streams: 2, echoesPerStream: 2 },
  },
  {
    // One stream: with two, the fixture's session.destroy() also resets the second stream with
    // RST_STREAM NO_ERROR, which both engines (and grpc-js itself) report as INTERNAL.
    title: 'GOAWAY then connection closed after 2 echoes',
    fixture: ['goaway-after', '2'],
    status: 'UNAVAILABLE',
    category: 'transport',
    chat: { exit: 3, replies: 2 },
    run: { streams: 1, echoesPerStream: 2 },
  },
  {
    title: 'a 5 MiB reply over the default 4 MiB limit',
    fixture: ['oversize', '5242880'],
    status: 'RESOURCE_EXHAUSTED',
    category: 'protocol',
    chat: { exit: 4, replies: 0, details: 'Received message larger than max (5242880 vs 4194304)' },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'a 2 MiB reply over --max-message-size 1MiB',
    fixture: ['oversize', '2097152'],
    status: 'RESOURCE_EXHAUSTED',
    category: 'protocol',
    run: { flags: ['--max-message-size', '1MiB'], streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'a reply whose length prefix cuts the RouteNote',
    fixture: ['corrupt-prefix'],
    status: 'INTERNAL',
    category: 'protocol',
    chat: { exit: 4, replies: 0 },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'content-type text/html',
    fixture: ['wrong-content-type'],
    status: 'UNKNOWN',
    category: 'protocol',
    chat: { exit: 4, replies: 0 },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'HTTP status 503',
    fixture: ['http-status', '503'],
    status: 'UNAVAILABLE',
    category: 'protocol',
    chat: { exit: 3, replies: 0, details: 'Received HTTP status code 503' },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'HTTP status 404',
    fixture: ['http-status', '404'],
    status: 'UNIMPLEMENTED',
    category: 'protocol',
    chat: { exit: 4, replies: 0, details: 'Received HTTP status code 404' },
    run: { streams: 2, echoesPerStream: 0 },
  },
  {
    title: 'gzip requests refused (trailers-only UNIMPLEMENTED)',
    fixture: ['reject-compression'],
    status: 'UNIMPLEMENTED',
    category: 'rejected',
    flags: ['--compression', 'gzip'],
    chat: { exit: 4, replies: 0, details: 'grpc: Decompressor is not installed for grpc-encoding "gzip"' },
    run: { streams: 2, echoesPerStream: 0 },
  },
];

/** Messages each misbehaviour run may send at most (it stops early once every stream failed). */
const MISBEHAVIOUR_MESSAGES = 20;

for (const engine of ENGINES) {
  describe(`engine ${engine}`, () => {
    describe('against our grpc-js echo server', () => {
      test('chat prints the five seed replies in order', async () => {
        const { target } = await ownServer();
        const result = await chat(engine, target);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(replyLines(result), SEED_REPLIES);
      });

      test('run --verify echoes 5000 messages over 4 pipelined streams without an error', async (t) => {
        const { target } = await ownServer();
        const file = expectClean(await run(engine, target, ['--messages', '5000', '--streams', '4', '--in-flight', '16', '--verify']), 5000);
        assert.equal(file.run.config.engine, engine);
        assert.equal(file.run.metrics.latencyUs.count, 5000);
        // The h2 engine counts DATA bytes: identity 16-byte payloads are exactly 23 bytes framed
        // on the way out and the 33-byte echoes 40 bytes back, for every message of the window.
        await t.test('wire bytes are the gRPC frames of every message (h2) or not counted (grpc-js)', () => {
          const { wire, counters } = file.run.metrics;
          if (engine !== 'h2') return assert.equal(wire, null);
          assert.ok(wire !== null);
          assert.equal(wire.bytesReceived, counters.received * grpcFrameBytes(16 + 17), 'DATA bytes received in the window: 40 per echo');
          // Fails at the time of writing: 113528 = (5000 - 4 streams × 16 in flight) × 23. With
          // --warmup 0 the worker's warm-up timer re-samples the wire counters after the first
          // in-flight window has already been written, so those bytes drop out of the window.
          assert.equal(wire.bytesSent, counters.sent * grpcFrameBytes(16), 'DATA bytes sent in the window: 23 per message');
        });
      });

      test(`a ${LARGEST_SIZE}-byte message, the largest whose echo fits 4 MiB, goes through and back`, async () => {
        const { target } = await ownServer();
        const file = expectClean(await run(engine, target, ['--size', String(LARGEST_SIZE), '--messages', '3', '--verify']), 3);
        assert.equal(file.run.metrics.counters.bytesSent, 3 * LARGEST_SIZE);
        assert.equal(file.run.metrics.counters.bytesReceived, 3 * (LARGEST_SIZE + 17));
      });
    });

    describe('against the Go seed server (grpc-go)', () => {
      test('chat prints the five seed replies in order', { skip: GO_PEERS_SKIP }, async () => {
        const { target } = await goServer('plain');
        const result = await chat(engine, target);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(replyLines(result), SEED_REPLIES);
      });

      test('run --verify echoes 5000 messages over 4 pipelined streams without an error', { skip: GO_PEERS_SKIP }, async () => {
        const { target } = await goServer('plain');
        expectClean(await run(engine, target, ['--messages', '5000', '--streams', '4', '--in-flight', '16', '--verify']), 5000);
      });

      test('gzip requests to the plain server are refused with UNIMPLEMENTED (chat and run exit 4)', { skip: GO_PEERS_SKIP }, async () => {
        const { target } = await goServer('plain');
        const [chatted, ran] = await Promise.all([
          chat(engine, target, ['--compression', 'gzip']),
          run(engine, target, ['--compression', 'gzip', '--messages', '20', '--streams', '2', '--in-flight', '2']),
        ]);
        assert.equal(chatted.code, 4, chatted.stderr);
        assert.deepEqual(replyLines(chatted), []);
        assert.match(chatted.stderr, /failed: UNIMPLEMENTED: grpc: Decompressor is not installed for grpc-encoding "gzip"/);
        const file = expectRun(ran, 4);
        assert.deepEqual(file.run.metrics.counters.errorsByStatus, { UNIMPLEMENTED: 2 });
        assert.equal(file.run.metrics.counters.received, 0);
      });

      test('gzip both ways with seed-server-gzip: --compression gzip --verify, no error', { skip: GO_PEERS_SKIP }, async () => {
        const { target } = await goServer('gzip');
        const [chatted, ran] = await Promise.all([
          chat(engine, target, ['--compression', 'gzip']),
          run(engine, target, ['--compression', 'gzip', '--size', '1KiB', '--messages', '500', '--streams', '2', '--in-flight', '8', '--verify']),
        ]);
        assert.equal(chatted.code, 0, chatted.stderr);
        assert.deepEqual(replyLines(chatted), SEED_REPLIES);
        expectCompressedWire(engine, expectClean(ran, 500), 'both');
      });
    });

    describe('against the raw http2 fixture: unusual but valid framing', () => {
      test('a reply split over many 7-byte DATA frames', async () => {
        const { target } = await fixture('split');
        const chatted = await chat(engine, target);
        assert.equal(chatted.code, 0, chatted.stderr);
        assert.deepEqual(replyLines(chatted), SEED_REPLIES);
        // 1 KiB payloads: each echo is 1048 bytes framed, 150 DATA frames.
        expectClean(await run(engine, target, ['--size', '1KiB', '--messages', '100', '--streams', '2', '--in-flight', '4', '--verify']), 100);
      });

      test('many replies in one DATA frame', async () => {
        const { target } = await fixture('batch');
        const chatted = await chat(engine, target);
        assert.equal(chatted.code, 0, chatted.stderr);
        assert.deepEqual(replyLines(chatted), SEED_REPLIES);
        expectClean(await run(engine, target, ['--messages', '2000', '--streams', '2', '--in-flight', '32', '--verify']), 2000);
      });

      test('gzip-compressed replies (identity and gzip requests)', async () => {
        const { target } = await fixture('gzip-replies');
        const chatted = await chat(engine, target);
        assert.equal(chatted.code, 0, chatted.stderr);
        assert.deepEqual(replyLines(chatted), SEED_REPLIES);
        const ran = await run(engine, target, ['--compression', 'gzip', '--size', '1KiB', '--messages', '500', '--streams', '2', '--in-flight', '8', '--verify']);
        expectCompressedWire(engine, expectClean(ran, 500), 'both');
      });

      test('response headers 50 ms late', async () => {
        const { target } = await fixture('delay-headers', '50');
        const chatted = await chat(engine, target);
        assert.equal(chatted.code, 0, chatted.stderr);
        assert.deepEqual(replyLines(chatted), SEED_REPLIES);
      });
    });

    describe('against the raw http2 fixture: misbehaviour gives the same status name', () => {
      for (const m of MISBEHAVIOURS) {
        test(`${m.title} → ${m.status} (${m.category})`, async () => {
          const { target } = await fixture(...m.fixture);
          const runFlags = ['--messages', String(MISBEHAVIOUR_MESSAGES), '--streams', String(m.run.streams), '--in-flight', '2', '--verify', ...(m.run.flags ?? [])];
          const [chatted, ran] = await Promise.all([
            m.chat === undefined ? null : chat(engine, target, m.flags ?? []),
            run(engine, target, [...runFlags, ...(m.flags ?? [])]),
          ]);

          if (m.chat !== undefined && chatted !== null) {
            assert.equal(chatted.code, m.chat.exit, `chat exit code; stderr: ${chatted.stderr}`);
            assert.deepEqual(replyLines(chatted), SEED_REPLIES.slice(0, m.chat.replies));
            assert.match(chatted.stderr, new RegExp(`RouteChat to ${target.replaceAll('.', '\\.')} failed: ${m.status}: `));
            if (m.chat.details !== undefined) assert.ok(chatted.stderr.includes(`${m.status}: ${m.chat.details}`), chatted.stderr);
          }

          const file = expectRun(ran, 4);
          const { counters, errorsTotal } = file.run.metrics;
          assert.deepEqual(counters.errorsByStatus, { [m.status]: m.run.streams });
          assert.deepEqual(counters.errorsByCategory, { [m.category]: m.run.streams });
          const expectedReceived = m.run.echoesPerStream === 'all' ? counters.sent : m.run.echoesPerStream * m.run.streams;
          assert.equal(counters.received, expectedReceived);
          assert.equal(counters.unanswered, counters.sent - counters.received);
          assert.equal(counters.mismatches, 0);
          assert.equal(counters.streamsEndedEarly, 0);
          assert.ok(errorsTotal > 0);
        });
      }

      test('a server that ends each stream with OK after 3 echoes: streams ended early, exit 4', async () => {
        const { target } = await fixture('close-after', '3');
        const file = expectRun(await run(engine, target, ['--messages', '20', '--streams', '2', '--in-flight', '2', '--verify']), 4);
        const { counters } = file.run.metrics;
        assert.equal(counters.streamsEndedEarly, 2);
        assert.deepEqual(counters.errorsByCategory, { aborted: 2 });
        assert.deepEqual(counters.errorsByStatus, {});
        assert.equal(counters.received, 6);
        assert.equal(counters.unanswered, counters.sent - counters.received);
        assert.equal(counters.mismatches, 0);
      });

      test('wrong echoes are mismatches with --verify, exit 4', async () => {
        const { target } = await fixture('wrong-echo');
        const file = expectRun(await run(engine, target, ['--messages', '20', '--streams', '2', '--in-flight', '2', '--verify']), 4);
        const { counters } = file.run.metrics;
        assert.equal(counters.received, 20);
        assert.equal(counters.mismatches, 20);
        assert.deepEqual(counters.errorsByCategory, { protocol: 20 });
        assert.deepEqual(counters.errorsByStatus, {});
      });

      test('an unreachable target: chat and run exit 3 (UNAVAILABLE)', async () => {
        const port = await closedPort();
        const target = `127.0.0.1:${port}`;
        const [chatted, ran] = await Promise.all([
          chat(engine, target, [], UNREACHABLE_TIMEOUT_MS),
          run(engine, target, ['--duration', '0.5'], UNREACHABLE_TIMEOUT_MS),
        ]);
        assert.equal(chatted.code, 3, chatted.stderr);
        assert.match(chatted.stderr, new RegExp(`RouteChat to 127\\.0\\.0\\.1:${port} failed: UNAVAILABLE: `));
        assert.equal(ran.result.code, 3, ran.result.stderr);
        assert.match(ran.result.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is unreachable`));
        assert.equal(ran.file, null, 'no results file for a run that never started');
      });
    });
  });
}
