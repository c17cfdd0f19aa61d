/**
 * The live page in a real headless browser (Debian's chromium, driven by playwright-core): the
 * page is fed events in-process and must chart them, show the last figures, log no console
 * error, request nothing but its own origin, and keep its final state once the bench closes it.
 * A real `run --live` of the CLI is followed to its end, where the page must show the results
 * file's figures. Screenshots go to test-output/live/. Without chromium the test fails when CI=true and skips
 * with a message otherwise.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { liveSecond, type LiveProgress } from '../../src/load/run-load.js';
import { startLivePage } from '../../src/observe/live/live-page.js';
import type { RunRecord, RunResultsFile, SweepProgress } from '../../src/types.js';
import { ROOT, runCli, startEchoServe, tempDir } from '../helpers/cli.js';
import { baseConfig, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import { tick } from '../helpers/progress-ticks.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(ROOT, 'test-output', 'live');
const missing = !existsSync(CHROMIUM);
const skip = missing && process.env.CI !== 'true' ? `chromium not found at ${CHROMIUM} (apt-get install -y chromium); skipped outside CI` : false;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One second over two workers: a few hundred latencies around 150–300 µs with a tail; errors and an outage in seconds 6–7; three backends. */
function progressAt(second: number): LiveProgress {
  const values = (n: number, base: number): number[] => Array.from({ length: n }, (_, i) => base + (i % 50) * 3 + (i % 97 === 0 ? base * 12 : 0));
  const outage = second === 6 || second === 7;
  return liveSecond(
    [
      tick(0, second, values(400 + second * 20, 150 + second * 5), { openStreams: 8, breaker: 'closed', eventLoopUtilization: 0.61, sendLag: { sends: 400, meanMs: 0.25, maxMs: 1.5 + second }, backends: [{ backend: '127.0.0.1:50051', received: 200 + second }, { backend: '127.0.0.1:50052', received: 150 }], ...(outage ? { errors: 3, errorsByCategory: { transport: 3 }, reconnects: 2, openStreams: 5, breaker: 'open' } : {}) }),
      tick(1, second, values(380 + second * 15, 170), { openStreams: 8, breaker: 'closed', eventLoopUtilization: 0.42, sendLag: { sends: 100, meanMs: 1.25, maxMs: 2 }, backends: [{ backend: '127.0.0.1:50052', received: 50 }, { backend: '127.0.0.1:50053', received: 180 }], ...(outage ? { errors: 1, errorsByCategory: { rejected: 1 } } : {}) }),
    ],
    0.4 + second * 0.03,
  );
}

function finalRecord(): RunRecord {
  const run = syntheticRun({ msgsPerS: 800, latencyUs: 200, config: { rate: 800, warmupS: 1, durationS: 15, streams: 16, workers: 2, connections: 2 } });
  run.metrics.counters = { ...run.metrics.counters, sent: 8800, heldBackSends: 300, sendLagMsTotal: 17, lateSends: 12, unsent: 0 };
  run.timeSeriesStartMs = 1_000_000;
  run.metrics.resilience = {
    outages: [{ startMs: 1_005_200, endMs: 1_007_100, ongoing: false, streams: 3, reconnects: 4, lost: 6, delayed: 120 }],
    longestOutageS: 1.9,
    meanRecoveryS: 0.6,
    reconnects: 4,
    lost: 6,
    breakerTransitions: [
      { atMs: 1_005_300, state: 'open' },
      { atMs: 1_006_300, state: 'half-open' },
      { atMs: 1_006_400, state: 'closed' },
    ],
  };
  return run;
}

async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  const origin = new URL(url).origin;
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) problems.push(`request outside the page's origin: ${request.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#status[data-status="live"]');
  return { page, problems };
}

const chartPoints = (page: Page, chart: string): Promise<{ points: number; paths: number[] }> =>
  page.$eval(`#chart-${chart}`, (svg) => ({
    points: Number(svg.getAttribute('data-points')),
    paths: [...svg.querySelectorAll('path.series')].map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((x) => x.trim() !== '').length),
  }));

const figure = (page: Page, name: string): Promise<{ value: string | null; text: string }> =>
  page.$eval(`[data-figure="${name}"]`, (tile) => ({ value: tile.getAttribute('data-value'), text: tile.querySelector('.value')?.textContent ?? '' }));

describe('live page in headless Chromium', { skip }, () => {
  let chromium: typeof import('playwright-core').chromium;
  before(async () => {
    assert.ok(!missing, `chromium is required in CI: ${CHROMIUM} does not exist (.ci/run installs it with apt-get install -y chromium)`);
    await initHistograms();
    mkdirSync(OUT_DIR, { recursive: true });
    chromium = (await import('playwright-core')).chromium;
  });

  it('charts a run as it happens, shows the last figures, and keeps them once the run has finished', { timeout: 60_000 }, async () => {
    const live = await startLivePage({ port: 0, kind: 'run' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const { page, problems } = await openPage(browser, live.url);
      live.runStarted?.({ config: baseConfig({ rate: 800, warmupS: 1, durationS: 15, streams: 16, workers: 2, connections: 2, target: '127.0.0.1:50051,127.0.0.1:50052,127.0.0.1:50053', lb: 'round_robin' }), cellId: null, repetition: null });
      assert.equal(await page.$eval('#backends', (e) => (e as HTMLElement).hidden), true, 'no backends table before the first second');
      let last: LiveProgress | null = null;
      let early = { points: 0, paths: [] as number[] };
      for (let second = 1; second <= 16; second++) {
        last = progressAt(second);
        live.second?.(last);
        await sleep(250);
        if (second === 3) {
          await page.waitForFunction(() => document.body.getAttribute('data-second') === '3');
          early = await chartPoints(page, 'throughput');
        }
      }
      assert.ok(last);
      await page.waitForFunction(() => document.body.getAttribute('data-second') === '16');
      const throughput = await chartPoints(page, 'throughput');
      const latency = await chartPoints(page, 'latency');
      const errors = await chartPoints(page, 'errors');
      assert.equal(early.points, 3);
      assert.equal(throughput.points, 16, 'the chart gained a point per second');
      assert.deepEqual(throughput.paths, [16]);
      assert.deepEqual(latency.paths, [16, 16, 16], 'p50, p99 and p99.9 lines');
      assert.deepEqual(errors.paths, [16, 16], 'one line per error category');

      const expectFigures = async (p: LiveProgress): Promise<void> => {
        assert.deepEqual(await figure(page, 'msgsPerS'), { value: String(p.received), text: p.received.toLocaleString('en-US') });
        assert.equal((await figure(page, 'p50')).value, String(p.latencyUs.p50));
        assert.equal((await figure(page, 'p99')).value, String(p.latencyUs.p99));
        assert.equal((await figure(page, 'p999')).value, String(p.latencyUs.p999));
        assert.equal((await figure(page, 'max')).value, String(p.latencyUs.max));
        assert.equal((await figure(page, 'openStreams')).value, String(p.openStreams));
        assert.equal((await figure(page, 'generatorCpu')).value, String(p.generatorCpu));
        assert.equal((await figure(page, 'errors')).value, String(p.errors));
        assert.equal((await figure(page, 'breakersOpen')).text, 'closed');
        assert.deepEqual(await figure(page, 'eventLoop'), { value: '0.61', text: '61 %' }, 'the busiest worker event loop');
        assert.deepEqual(await figure(page, 'sendLag'), { value: String(p.sendLagMs?.mean), text: '0.45 ms' }, 'send lag weighted by sends: (400 × 0.25 + 100 × 1.25) / 500');
      };
      await expectFigures(last);
      assert.match((await figure(page, 'p99')).text, /^\d+(\.\d+)? (µs|ms)$/);
      const expectBackends = async (p: LiveProgress): Promise<void> => {
        assert.equal(await page.$eval('#backends', (e) => (e as HTMLElement).hidden), false, 'three backends: the table is shown');
        const rows = await page.$$eval('#backends-body tr', (trs) => trs.map((tr) => [tr.getAttribute('data-backend'), ...[...tr.querySelectorAll('td')].slice(1, 3).map((td) => td.textContent), tr.querySelector('meter')?.getAttribute('value') ?? null]));
        const total = p.backends.reduce((n, b) => n + b.msgsPerS, 0);
        assert.deepEqual(
          rows,
          p.backends.map((b) => [b.backend, b.msgsPerS.toLocaleString('en-US'), `${((b.msgsPerS / total) * 100).toFixed(1)} %`, String(b.msgsPerS)]),
        );
        assert.deepEqual(p.backends.map((b) => b.msgsPerS), [216, 200, 180], 'second 16: 200 + 16; 150 + 50; 180');
        // (216 − 180) / (596 / 3) = 18.1 %
        assert.equal(await page.$eval('#backends-imbalance', (e) => e.getAttribute('data-imbalance')), '18.1');
        assert.match(await page.$eval('#run-info', (e) => e.textContent ?? ''), / · lb round_robin$/);
      };
      await expectBackends(last);
      const errorRows = await page.$$eval('#errors-body tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(errorRows, [
        ['rejected', '0', '2'],
        ['transport', '0', '6'],
      ]);
      await page.screenshot({ path: join(OUT_DIR, 'live-run.png'), fullPage: true });

      live.runFinished?.(finalRecord());
      await page.waitForSelector('#result:not([hidden]) #outages');
      const sendLag = await page.$eval('[data-result="sendLag"] td', (td) => td.textContent ?? '');
      assert.match(sendLag, /^2\.0 µs mean · 12 late · 300 held back · 0 unsent$/, 'send lag = 17 ms / (8800 − 300) sends');
      const outage = await page.$$eval('#outages tbody tr td', (tds) => tds.map((td) => td.textContent));
      assert.deepEqual(outage, ['5.20 s', '7.10 s', '1.90 s', '3', '4', '6', '120']);
      assert.equal(await page.$$eval('#chart-throughput rect.band', (r) => r.length), 1, 'the outage is marked on the charts');

      live.finished?.('results/x.json');
      await live.close();
      await page.waitForSelector('#status[data-status="finished"]');
      await sleep(1500); // past EventSource's retry: it must not reconnect, blank out or log an error
      assert.equal(await page.$eval('#status', (e) => e.textContent), 'run finished');
      assert.equal(await page.$eval('#results-file', (e) => e.textContent), 'results/x.json');
      assert.equal((await chartPoints(page, 'throughput')).points, 16, 'the charts are kept');
      await expectFigures(last);
      await expectBackends(last);
      assert.deepEqual(problems, []);
      await page.screenshot({ path: join(OUT_DIR, 'live-run-finished.png'), fullPage: true });
      assert.ok(existsSync(join(OUT_DIR, 'live-run-finished.png')));
    } finally {
      await browser.close();
      await live.close();
    }
  });

  it('follows a real 4 s `run --live` of the CLI and ends on the figures of its results file', { timeout: 90_000 }, async () => {
    const server = await startEchoServe();
    const out = join(tempDir(), 'live-cli-run.json');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      let opened: Promise<{ page: Page; problems: string[] }> | null = null;
      let pageUrl = '';
      const run = runCli(['run', '--target', server.target, '--live', '--streams', '2', '--in-flight', '4', '--warmup', '0.5', '--duration', '4', '--out', out], {
        timeoutMs: 60_000,
        onStart: (child) => {
          let text = '';
          child.stderr?.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            const match = /live page\s+(http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(text);
            if (match && opened === null) {
              pageUrl = match[1] as string;
              opened = openPage(browser, pageUrl);
            }
          });
        },
      });
      // The URL comes once the page listens, before the load starts (bounded: the run's own timeout).
      for (let waited = 0; opened === null && waited < 30_000; waited += 50) await sleep(50);
      assert.ok(opened, 'the live page URL was printed on stderr');
      const { page, problems } = await (opened as Promise<{ page: Page; problems: string[] }>);
      await page.waitForFunction(() => Number(document.body.getAttribute('data-second')) >= 2, null, { timeout: 30_000 });
      const early = await chartPoints(page, 'throughput');
      assert.ok(early.points >= 2, `points after two seconds: ${early.points}`);

      const result = await run;
      assert.equal(result.code, 0, result.stderr);
      await page.waitForSelector('#status[data-status="finished"]', { timeout: 10_000 });
      const late = await chartPoints(page, 'throughput');
      assert.ok(late.points > early.points, `the chart gained points during the run: ${early.points} → ${late.points}`);
      assert.ok(late.points >= 4, `a point per second of a 4.5 s run: ${late.points}`);

      const file = JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
      const m = file.run.metrics;
      const cell = (key: string): Promise<string> => page.$eval(`[data-result="${key}"] td`, (td) => td.textContent ?? '');
      assert.equal(await cell('msgsPerS'), `${Math.round(m.msgsPerS).toLocaleString('en-US')} msgs/s`);
      assert.equal(await cell('messages'), `${m.counters.sent.toLocaleString('en-US')} sent, ${m.counters.received.toLocaleString('en-US')} echoed`);
      assert.match(await cell('latency'), /^p50 \S+ (µs|ms) · p99 \S+ (µs|ms) · p99\.9 /);
      assert.match(await cell('errors'), new RegExp(`^${m.errorsTotal}`));
      assert.equal(await page.$eval('#results-file', (e) => e.textContent), out);
      assert.ok(m.counters.received > 0);
      assert.deepEqual(problems, [], 'no console error, no request outside the page origin');
      assert.equal(new URL(pageUrl).hostname, '127.0.0.1');
      await page.screenshot({ path: join(OUT_DIR, 'live-cli-run.png'), fullPage: true });
    } finally {
      await browser.close();
      await server.stop();
    }
  });

  it('fills a sweep table per compression, and says "disconnected" when the bench goes without finishing', { timeout: 60_000 }, async () => {
    const live = await startLivePage({ port: 0, kind: 'sweep' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const cells = ['identity', 'gzip'].flatMap((compression) =>
        [16, 1024].flatMap((size) => [65535, 1048576].map((window) => ({ id: `compression=${compression},size=${size},window=${window}`, compression, size, window }))),
      );
      const { page, problems } = await openPage(browser, live.url);
      const total = cells.length;
      let done = 0;
      // Each cell once; the last one is left running.
      for (const [i, cell] of cells.entries()) {
        const progress: SweepProgress = { phase: 'repetition-start', cellIndex: i + 1, cellCount: total, cellId: cell.id, repetition: 0, repeat: 1, done, total, elapsedS: i * 20, etaS: (total - i) * 20 };
        live.sweepProgress?.(progress, null);
        live.runStarted?.({ config: baseConfig({ size: cell.size, window: cell.window, compression: cell.compression as 'gzip' | 'identity' }), cellId: cell.id, repetition: 0 });
        live.second?.(progressAt(1));
        if (i === total - 1) break;
        live.runFinished?.(syntheticRun({ msgsPerS: 1000 * (i + 1), latencyUs: 100 }));
        done++;
        live.sweepProgress?.({ ...progress, phase: 'repetition-end', done, elapsedS: i * 20 + 20, etaS: (total - i - 1) * 20 }, { cellId: cell.id, msgsPerS: 1000 * (i + 1), p99Us: 300 + i });
        await sleep(60);
      }
      await page.waitForFunction((n) => document.querySelector('#sweep-bar')?.getAttribute('data-done') === String(n), total - 1);
      await page.waitForSelector('td.running');
      const tables = await page.$$eval('table.sweep-table', (ts) => ts.map((t) => t.getAttribute('data-group')));
      assert.deepEqual(tables, ['compression=gzip', 'compression=identity']);
      const filled = await page.$$eval('table.sweep-table td[data-cell]', (tds) => tds.map((td) => [td.getAttribute('data-cell'), td.getAttribute('data-msgs-per-s'), td.className]));
      assert.equal(filled.length, total);
      assert.deepEqual(filled.find((f) => f[0] === 'compression=identity,size=1024,window=65535'), ['compression=identity,size=1024,window=65535', '3000', 'done']);
      assert.deepEqual(filled.find((f) => f[0] === cells[total - 1]?.id), [cells[total - 1]?.id, '', 'running']);
      assert.match(await page.$eval('#sweep-now', (e) => e.textContent ?? ''), /^running cell 8\/8 compression=gzip,size=1024,window=1048576 · repetition 1\/1$/);
      // The page counts the ETA down between repetitions: 20 s at the last start.
      assert.match(await page.$eval('#sweep-eta', (e) => e.textContent ?? ''), /^elapsed 2:2\d · ETA 0:(1\d|20)$/);
      await page.screenshot({ path: join(OUT_DIR, 'live-sweep.png'), fullPage: true });

      await live.close(); // no finished(): the bench stopped
      await page.waitForSelector('#status[data-status="disconnected"]');
      await sleep(1200);
      assert.equal(await page.$$eval('table.sweep-table td[data-cell]', (tds) => tds.length), total, 'the tables are kept');
      assert.equal((await figure(page, 'msgsPerS')).value, String(progressAt(1).received));
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await live.close();
    }
  });
});
