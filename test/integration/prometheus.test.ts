/**
 * `serve --prometheus`: the server's own metrics, scraped over HTTP while `run` loads it; and
 * `sweep --prometheus`: the generator's, scraped while a real sweep runs. (The run-side exporter's
 * every series is tested in process: test/observe/prometheus-exporter.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { findSamples, parseExposition, sampleValue, type Exposition } from '../helpers/parse-exposition.js';
import type { RunResultsFile, SweepResultsFile } from '../../src/types.js';
import { CLI, ROOT, closedPort, runCli, startEchoServe, tempDir } from '../helpers/cli.js';
import { writeTempProfile } from '../helpers/sweep-cli.js';
import { makeSecurityMaterial } from '../helpers/security-material.js';
import { checkWithPromtool, scrape } from '../helpers/prometheus.js';

const P = 'grpc_stream_bench_server_';

interface MeteredServe {
  child: ChildProcess;
  target: string;
  metricsUrl: string;
  stdoutLines: string[];
  stop(): Promise<number | null>;
}

/** `serve --port 0 --prometheus 0 ...`: waits for `listening on` (stdout) and `metrics on URL` (stderr). */
async function startMeteredServe(extraArgs: string[] = []): Promise<MeteredServe> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--prometheus', '0', ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  let stderr = '';
  let target: string | undefined;
  let metricsUrl: string | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within 15 s: ${stderr}`));
    }, 15_000);
    const check = (): void => {
      if (target === undefined || metricsUrl === undefined) return;
      clearTimeout(timer);
      resolve();
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdoutLines.push(line);
      target ??= /^listening on (.+:\d+)$/.exec(line)?.[1];
      check();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr += `${line}\n`;
      metricsUrl ??= /^metrics on (http:\/\/\S+)$/.exec(line)?.[1];
      check();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready: ${stderr}`));
    });
  });
  return {
    child,
    target: target as string,
    metricsUrl: metricsUrl as string,
    stdoutLines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

test('serve --prometheus 0: the metrics URL on stderr, stdout unchanged; counters grow while run loads it', async (t) => {
  const server = await startMeteredServe();
  try {
    assert.match(server.metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape(server.metricsUrl);
    assert.equal(sampleValue(before.exposition, `${P}echoes_total`), 0);
    assert.equal(sampleValue(before.exposition, `${P}streams_accepted_total`), 0);

    const out = join(tempDir(), 'run.json');
    const run = runCli(['run', '--target', server.target, '--streams', '4', '--in-flight', '8', '--warmup', '0.25', '--duration', '2', '--out', out], { timeoutMs: 60_000 });
    let finished = false;
    void run.finally(() => (finished = true));
    const seen: number[] = [];
    while (!finished) {
      seen.push(sampleValue((await scrape(server.metricsUrl)).exposition, `${P}echoes_total`));
      await sleep(200);
    }
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const during = seen.filter((n) => n > 0);
    assert.ok(new Set(during).size >= 3, `echoes grew while the run went on: ${seen.join(' ')}`);
    seen.forEach((n, i) => assert.ok(i === 0 || n >= (seen[i - 1] ?? 0), `never decreasing: ${seen.join(' ')}`));

    const after = await scrape(server.metricsUrl);
    const file = JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
    const echoes = sampleValue(after.exposition, `${P}echoes_total`);
    // The server wrote every echo the client received (warm-up included), and no more than it was sent.
    assert.ok(echoes >= file.run.metrics.counters.receivedTotal, `${echoes} ≥ ${file.run.metrics.counters.receivedTotal}`);
    assert.ok(sampleValue(after.exposition, `${P}streams_accepted_total`) >= 4);
    assert.ok(sampleValue(after.exposition, `${P}connections_total`) >= 1);
    assert.ok(sampleValue(after.exposition, `${P}cpu_seconds_total`, { mode: 'user' }) > 0);
    checkWithPromtool(t, after.text);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.deepEqual(server.stdoutLines.slice(1), [], 'nothing on stdout after "listening on"');
  assert.match(server.stdoutLines[0] ?? '', /^listening on 127\.0\.0\.1:\d+$/);
  await assert.rejects(fetch(server.metricsUrl), 'the metrics endpoint stops with the server');
});

test('serve --prometheus with fault injection: rejections by status and reason, injected faults', async (t) => {
  const server = await startMeteredServe(['--fail-rate', '1', '--fail-reason', 'OVERLOADED']);
  try {
    const chat = await runCli(['chat', '--target', server.target, 'hello']);
    assert.equal(chat.code, 3, chat.stderr);
    const { text, exposition } = await scrape(server.metricsUrl);
    assert.equal(sampleValue(exposition, `${P}rejections_total`, { source: 'fault', status: 'UNAVAILABLE', reason: 'OVERLOADED' }), 1);
    assert.equal(sampleValue(exposition, `${P}faults_total`, { fault: 'reject' }), 1);
    assert.equal(sampleValue(exposition, `${P}streams_accepted_total`), 0);
    assert.equal(sampleValue(exposition, `${P}echoes_total`), 0);
    checkWithPromtool(t, text);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('serve --prometheus with TLS + JWT: auth rejections by status and reason, accepted calls', async (t) => {
  const m = await makeSecurityMaterial();
  const server = await startMeteredServe([
    '--tls-cert', m.files.server, '--tls-key', m.files.serverKey,
    '--jwt-public-key', m.files.jwtPublic, '--jwt-issuer', 'bench', '--jwt-audience', 'echo', '--require-role', 'bench',
  ]);
  try {
    const tls = ['--target', server.target, '--ca', m.files.ca, '--server-name', 'localhost'];
    const mint = (roles: string[]): string[] => ['--jwt-sign-key', m.files.jwtPrivate, '--jwt-claims', JSON.stringify({ iss: 'bench', aud: 'echo', sub: 'tester', roles })];
    assert.equal((await runCli(['chat', ...tls, 'hi'])).code, 4, 'no token');
    assert.equal((await runCli(['chat', ...tls, ...mint(['reader']), 'hi'])).code, 4, 'no role');
    const ok = await runCli(['chat', ...tls, ...mint(['bench']), 'hi']);
    assert.equal(ok.code, 0, ok.stderr);
    const { text, exposition } = await scrape(server.metricsUrl);
    assert.equal(sampleValue(exposition, `${P}rejections_total`, { source: 'auth', status: 'UNAUTHENTICATED', reason: 'missing bearer token' }), 1);
    assert.equal(sampleValue(exposition, `${P}rejections_total`, { source: 'auth', status: 'PERMISSION_DENIED', reason: 'role bench required' }), 1);
    assert.equal(sampleValue(exposition, `${P}auth_accepted_total`), 1);
    assert.equal(sampleValue(exposition, `${P}streams_accepted_total`), 1);
    assert.equal(sampleValue(exposition, `${P}echoes_total`), 1);
    checkWithPromtool(t, text);
  } finally {
    assert.equal(await server.stop(), 0);
    rmSync(m.dir, { recursive: true, force: true });
  }
});

test('serve --prometheus: bad values are refused before anything listens (exit 2)', async () => {
  const cases: [string[], RegExp][] = [
    [['--prometheus', 'x'], /--prometheus must be an integer from 0 to 65535, got "x"/],
    [['--prometheus', '0', '--prometheus-host', '10.1.2.3'], /--prometheus-host 10\.1\.2\.3 is not a loopback address .*--allow-remote/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(['serve', '--port', '0', ...args]);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

test('serve --prometheus on a busy port: one clear line, exit 2 (as --live), the gRPC server stopped', async () => {
  const busy = createServer();
  busy.listen(0, '127.0.0.1');
  await once(busy, 'listening');
  const { port } = busy.address() as { port: number };
  try {
    const result = await runCli(['serve', '--port', '0', '--prometheus', String(port)]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`Prometheus metrics: port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\); use another port, or 0 for a free one`));
    assert.equal(result.stdout, '');
  } finally {
    busy.close();
  }
});

test('sweep --prometheus: scraped while it runs, the counters grow and a finished repetition matches the results file', async () => {
  const server = await startEchoServe();
  const metricsPort = await closedPort();
  const { profile } = writeTempProfile({
    description: 'two cells, scraped',
    repeat: 1,
    settings: { streams: 2, connections: 1, inFlight: 2, warmup: 0.2, duration: 2.5 },
    axes: { compression: ['identity'], size: [16, 64], window: ['64KiB'] },
  });
  const out = join(tempDir(), 'scraped-sweep.json');
  const url = `http://127.0.0.1:${metricsPort}/metrics`;
  try {
    let done = false;
    const sweep = runCli(['sweep', '--profile', profile, '--target', server.target, '--prometheus', String(metricsPort), '--seed', '7', '--out', out], { timeoutMs: 60_000 }).finally(() => (done = true));
    const scrapes: Exposition[] = [];
    while (!done) {
      const text = await fetch(url).then((r) => r.text(), () => null);
      if (text !== null) scrapes.push(parseExposition(text));
      await sleep(200);
    }
    const result = await sweep;
    assert.equal(result.code, 0, result.stderr);
    const file = JSON.parse(readFileSync(out, 'utf8')) as SweepResultsFile;
    const first = file.repetitions.find((r) => r.order === 0);
    assert.ok(first?.run, 'the first repetition completed');
    const cell = file.cells.find((c) => c.id === first.cellId);
    assert.ok(cell);
    const labels = { engine: 'h2', target: server.target, compression: 'identity', size: String(cell.config.size), cell: cell.id };
    const echoed = scrapes.map((s) => findSamples(s, 'grpc_stream_bench_messages_echoed_total', labels)[0]?.value ?? 0);
    assert.ok(scrapes.length >= 5, `scrapes during the sweep: ${scrapes.length}`);
    const rising = echoed.filter((v, i) => i > 0 && v > (echoed[i - 1] ?? 0)).length;
    assert.ok(rising >= 2, `the first cell's echoes grew from scrape to scrape: ${echoed.join(', ')}`);
    // Once the first repetition is finished (the second runs), its counters are those of its results.
    const after = scrapes.filter((s) => findSamples(s, 'grpc_stream_bench_runs_total', { ...labels, outcome: 'completed' })[0]?.value === 1);
    assert.ok(after.length > 0, 'a scrape after the first repetition finished');
    const last = after[after.length - 1] as Exposition;
    const c = first.run.metrics.counters;
    assert.equal(sampleValue(last, 'grpc_stream_bench_calls_opened_total', labels), c.streamsOpened);
    // Every echo of the run, warm-up, the last partial second and the drain included, is counted
    // and in the latency histogram: the counters end on the results file's total.
    assert.equal(sampleValue(last, 'grpc_stream_bench_messages_echoed_total', labels), c.receivedTotal);
    assert.equal(sampleValue(last, 'grpc_stream_bench_latency_seconds_count', labels), c.receivedTotal);
    // The time series has whole seconds only: its echoes are those of the counters minus the last partial second.
    const seriesEchoes = first.run.timeSeries.reduce((a, p) => a + p.msgsPerS, 0);
    assert.ok(seriesEchoes > 0 && seriesEchoes < c.receivedTotal, `${seriesEchoes} of ${c.receivedTotal} echoes in whole seconds`);
  } finally {
    await server.stop();
  }
});
