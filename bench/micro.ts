/**
 * Micro-benchmarks that explain the sweep: what the codec, compression, histogram and the
 * generator's per-message matching cost, per message. Run with `npm run bench:micro`.
 * Prints a table and writes results/<timestamp>-micro.json.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { Bench } from 'tinybench';
import { ECHO_PREFIX } from '../src/config/defaults.js';
import { MessageDeframer } from '../src/engine/h2/message-deframer.js';
import { MessageEncoder } from '../src/engine/h2/message-encoder.js';
import { parseRouteNote } from '../src/engine/h2/route-note-codec.js';
import { SyncZlib } from '../src/engine/h2/sync-zlib.js';
import { FixedPayloads, PayloadFactory } from '../src/grpc/payload.js';
import { buildPayloadPattern } from '../src/grpc/payload-pattern.js';
import { loadStreamProto } from '../src/grpc/proto.js';
import { SendQueue } from '../src/load/send-queue.js';
import { importVerificationKeys } from '../src/security/jwt-verification-keys.js';
import { createJwtVerifier } from '../src/security/jwt-verifier.js';
import { formatBytes, renderTable } from '../src/report/format.js';
import { describeEnvironment } from '../src/results/environment.js';
import { defaultResultsPath } from '../src/results/run-file.js';
import { writeFileAtomic } from '../src/results/write-atomic.js';
import { createLatencyHistogram, initHistograms, recordLatency } from '../src/stats/histogram.js';

const SIZES = [16, 1024, 64 * 1024, 1024 * 1024];
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);

interface MicroResult {
  name: string;
  group: string;
  /** Payload bytes per operation, null when not size-bound. */
  bytes: number | null;
  meanUs: number;
  p99Us: number;
  opsPerS: number;
  /** Relative margin of error of the mean, %. */
  rme: number;
  samples: number;
  usPerKiB: number | null;
}

// What grpc-js does per message: serialize the request, deserialize the echo. The payloads
// are the generator's own at the default compressibility (gzip shrinks them by about 50%).
const COMPRESSIBILITY = 50;
const payloadsOf = (size: number): PayloadFactory => new PayloadFactory(size, buildPayloadPattern(size, COMPRESSIBILITY));
const method = loadStreamProto().stream.StreamService.service.RouteChat;
const serialize = method.requestSerialize as (value: { message: string }) => Buffer;
const deserialize = method.responseDeserialize as (bytes: Buffer) => { message: string };

await initHistograms();
const bench = new Bench({ time: 250, warmupTime: 50 });
const meta = new Map<string, { group: string; bytes: number | null }>();
const add = (name: string, group: string, bytes: number | null, fn: () => unknown): void => {
  meta.set(name, { group, bytes });
  bench.add(name, fn);
};

let sink = 0;
for (const size of SIZES) {
  const payloads = payloadsOf(size);
  const message = payloads.make(123_456);
  const encoded = serialize({ message });
  const echo = serialize({ message: ECHO_PREFIX + message });
  const label = formatBytes(size);
  add(`encode RouteNote ${label}`, 'codec', size, () => {
    sink += serialize({ message }).length;
  });
  add(`decode RouteNote ${label}`, 'codec', size, () => {
    sink += deserialize(echo).message.length;
  });
  const gzipped = zlib.gzipSync(encoded);
  const deflated = zlib.deflateSync(encoded);
  add(`gzip compress ${label}`, 'compression', size, async () => {
    sink += (await gzip(encoded)).length;
  });
  add(`gzip decompress ${label}`, 'compression', size, async () => {
    sink += (await gunzip(gzipped)).length;
  });
  add(`deflate compress ${label}`, 'compression', size, async () => {
    sink += (await deflate(encoded)).length;
  });
  add(`deflate decompress ${label}`, 'compression', size, async () => {
    sink += (await inflate(deflated)).length;
  });
  // The same work without the thread-pool round trip: the CPU cost of gzip itself.
  add(`gzip compress ${label} (sync)`, 'compression-sync', size, () => {
    sink += zlib.gzipSync(encoded).length;
  });
  add(`gzip decompress ${label} (sync)`, 'compression-sync', size, () => {
    sink += zlib.gunzipSync(gzipped).length;
  });
  // The h2 engine: one zlib stream reset and reused per message, no thread pool.
  const gzipReused = new SyncZlib('gzip');
  const gunzipReused = new SyncZlib('gunzip');
  add(`gzip compress ${label} (h2: sync, reused stream)`, 'h2', size, () => {
    sink += gzipReused.run(encoded).length;
  });
  add(`gzip decompress ${label} (h2: sync, reused stream)`, 'h2', size, () => {
    sink += gunzipReused.run(gzipped).length;
  });
  // The h2 engine's own framing: a batch of 16 messages stamped into one buffer, and an echo
  // found in place in the received bytes (per message).
  const encoder = new MessageEncoder(payloads, null);
  let first = 0;
  add(`h2 encode ${label} × 16 (one batch)`, 'h2', size * 16, () => {
    sink += encoder.encode(first, 16).length;
    first += 16;
  });
  const echoes = new MessageEncoder(new FixedPayloads(Array.from({ length: 16 }, () => ECHO_PREFIX + message)), null).encode(0, 16);
  const deframer = new MessageDeframer(64 * 1024 * 1024);
  const span = { start: 0, end: 0 };
  const sinkOf = { onMessage: (buf: Buffer, start: number, end: number): boolean => (parseRouteNote(buf, start, end, span) && payloads.isEchoBytes(buf, span.start, span.end, 123_456) ? sink++ : sink--, true) };
  add(`h2 deframe + parse + verify ${label} × 16 (one chunk)`, 'h2', size * 16, () => {
    deframer.push(echoes, sinkOf);
  });
}

const histogram = createLatencyHistogram();
let value = 0;
add('HDR record (WASM)', 'histogram', null, () => {
  value = (value + 7919) % 100_000;
  recordLatency(histogram, value + 1);
});

// The per-message bookkeeping of a stream: remember the send, and on the echo peek the
// oldest send time, drop it and check the reply (hasEchoLength always, isEcho with --verify).
const queue = new SendQueue(64);
const factory = payloadsOf(16);
let seq = 0;
const replies = Array.from({ length: 1024 }, (_, i) => ECHO_PREFIX + factory.make(i));
add('match step (queue + isEcho, 16 B)', 'generator', 16, () => {
  const now = performance.now();
  queue.push(now, now);
  sink += queue.peekIntended();
  queue.shift();
  const reply = replies[seq & 1023] as string;
  if (factory.hasEchoLength(reply) && factory.isEcho(reply, seq & 1023)) sink++;
  seq++;
});

// Security, paid once per call: the server's JWT check (jose, ES256, key imported once) and the
// generator minting a token.
const jwtKeys = await generateKeyPair('ES256', { extractable: true });
const verifier = createJwtVerifier({
  keys: await importVerificationKeys({ flag: '--jwt-public-key', path: 'bench', content: Buffer.from(await exportSPKI(jwtKeys.publicKey)) }, undefined),
  issuer: 'grpc-stream-bench',
  audience: 'route-chat',
  clockToleranceS: 5,
  requiredRole: 'bench',
  rolesClaim: 'roles',
});
const mintToken = (): Promise<string> =>
  new SignJWT({ sub: 'grpc-stream-bench', roles: ['bench'], iss: 'grpc-stream-bench', aud: 'route-chat' }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('5m').sign(jwtKeys.privateKey);
const bearer = [`Bearer ${await mintToken()}`];
add('JWT check per call (server interceptor, ES256)', 'security', null, async () => {
  if ((await verifier.authorize(bearer)).accepted) sink++;
});
add('JWT mint per token (generator, ES256)', 'security', null, async () => {
  sink += (await mintToken()).length;
});

await bench.run();
histogram.destroy();

const results: MicroResult[] = bench.tasks.map((task) => {
  const info = meta.get(task.name) ?? { group: 'other', bytes: null };
  const r = task.result as { state: string; latency?: { mean: number; p99: number; rme: number; samplesCount: number }; throughput?: { mean: number } };
  if (r.state !== 'completed' || !r.latency || !r.throughput) throw new Error(`${task.name}: ${r.state}`);
  const meanUs = r.latency.mean * 1000;
  return {
    name: task.name,
    group: info.group,
    bytes: info.bytes,
    meanUs,
    p99Us: r.latency.p99 * 1000,
    opsPerS: 1e6 / meanUs,
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
    usPerKiB: info.bytes !== null && info.bytes >= 1024 ? meanUs / (info.bytes / 1024) : null,
  };
});

const us = (x: number): string => (x < 10 ? x.toFixed(3) : x < 1000 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));
const table = renderTable(
  ['task', 'mean µs', 'p99 µs', 'ops/s', '±%', 'µs/KiB'],
  results.map((r) => [r.name, us(r.meanUs), us(r.p99Us), Math.round(r.opsPerS).toLocaleString('en-US'), r.rme.toFixed(1), r.usPerKiB === null ? '' : us(r.usPerKiB)]),
);
const path = defaultResultsPath('micro');
writeFileAtomic(
  path,
  `${JSON.stringify({ schema: 'grpc-stream-bench/micro', schemaVersion: 1, createdAt: new Date().toISOString(), environment: describeEnvironment(), results }, null, 2)}\n`,
);
process.stdout.write(`${table}\n\nnote: compression runs through node:zlib's async API, as grpc-js does ("(sync)": the same work without the thread-pool hop; "(h2 …)": one zlib stream reset and reused); payloads are the generator's at --compressibility ${COMPRESSIBILITY}\nresults    ${path}\n`);
if (sink === -1) process.stdout.write('\n');
