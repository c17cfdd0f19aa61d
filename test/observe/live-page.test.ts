/**
 * The live page in-process: served on 127.0.0.1, self-contained HTML with a CSP, and `/events`
 * read by a plain HTTP client carries the figures fed to the observer.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get, request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { liveSecond, type LiveProgress } from '../../src/load/run-load.js';
import type { LiveEventData, LiveEventType, LiveSnapshot } from '../../src/observe/live/live-messages.js';
import { LIVE_PAGE_SCRIPT } from '../../src/observe/live/live-page-script.js';
import { CLOSE_GRACE_MS, startLivePage } from '../../src/observe/live/live-page.js';
import type { RunRecord } from '../../src/types.js';
import { ConfigError } from '../../src/errors.js';
import { baseConfig, initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import { tick } from '../helpers/progress-ticks.js';

function progressAt(second: number): LiveProgress {
  const base = 100 + second * 10;
  return liveSecond(
    [
      tick(0, second, [base, base + 5, base + 40, base * 8], { errors: second, errorsByCategory: { transport: second }, reconnects: 1 }),
      tick(1, second, [base, base + 20, base * 3], { breaker: second === 2 ? 'open' : 'closed' }),
    ],
    0.25 * second,
  );
}

interface SseMessage {
  event: string;
  data: unknown;
}

interface EventReader {
  messages: SseMessage[];
  response: IncomingMessage;
  /** Resolves with the first message (from the start) of that type satisfying the predicate. */
  next<K extends LiveEventType>(type: K, predicate?: (data: LiveEventData[K]) => boolean): Promise<LiveEventData[K]>;
  ended: Promise<void>;
  close(): void;
}

function readEvents(url: string): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}events`, { agent: false }, (response) => {
      const messages: SseMessage[] = [];
      const waiters: (() => void)[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data: string | null = null;
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data !== null) messages.push({ event, data: JSON.parse(data) });
        }
        for (const w of waiters.splice(0)) w();
      });
      const ended = new Promise<void>((done) => response.on('end', done).on('close', done));
      const next = <K extends LiveEventType>(type: K, predicate: (data: LiveEventData[K]) => boolean = () => true): Promise<LiveEventData[K]> =>
        new Promise((found, fail) => {
          const timer = setTimeout(() => fail(new Error(`no ${type} message; got ${messages.map((m) => m.event).join(', ')}`)), 5000);
          const look = (): void => {
            const hit = messages.find((m) => m.event === type && predicate(m.data as LiveEventData[K]));
            if (hit) {
              clearTimeout(timer);
              found(hit.data as LiveEventData[K]);
            } else waiters.push(look);
          };
          look();
        });
      resolve({ messages, response, next, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

function fetchText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openLoopRecord(): RunRecord {
  const run = syntheticRun({ msgsPerS: 4000, latencyUs: 250, config: { rate: 4000 } });
  run.metrics.counters = { ...run.metrics.counters, sent: 2000, heldBackSends: 500, sendLagMsTotal: 30, lateSends: 4, unsent: 0 };
  run.timeSeriesStartMs = 50_000;
  run.metrics.resilience = {
    outages: [{ startMs: 51_000, endMs: 52_500, ongoing: false, streams: 3, reconnects: 2, lost: 5, delayed: 11 }],
    longestOutageS: 1.5,
    meanRecoveryS: 0.7,
    reconnects: 2,
    lost: 5,
    breakerTransitions: [],
  };
  return run;
}

before(async () => {
  await initHistograms();
});

describe('live page over HTTP', () => {
  const pages: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(pages.map((p) => p.close()));
  });

  it('listens on 127.0.0.1, port 0 picking a free port; a taken port is a ConfigError', async () => {
    const a = await startLivePage({ port: 0, kind: 'run' });
    const b = await startLivePage({ port: 0, kind: 'sweep' });
    pages.push(a, b);
    const portOf = (url: string): number => Number(/^http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(url)?.[1]);
    assert.ok(portOf(a.url) > 0 && portOf(b.url) > 0, `${a.url} ${b.url}`);
    assert.notEqual(portOf(a.url), portOf(b.url));
    await assert.rejects(startLivePage({ port: portOf(a.url), kind: 'run' }), (e: unknown) => e instanceof ConfigError && /port \d+ on 127\.0\.0\.1 is already in use/.test(e.message));
  });

  it('serves one self-contained HTML page: no external URL, inline script allowed by its hash only', async () => {
    const page = await startLivePage({ port: 0, kind: 'run' });
    pages.push(page);
    const res = await fetchText(page.url);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.deepEqual(res.body.match(/https?:\/\/[^\s"'<>)]*/g) ?? [], [], 'no absolute URL at all in the page');
    assert.deepEqual(res.body.match(/\b(?:src|href)\s*=\s*"[^"]*"/g), ['href="data:,"'], 'nothing loaded but the inline data: icon');
    assert.match(res.body, /data-kind="run"/);
    const scripts = [...res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    assert.deepEqual(scripts, [LIVE_PAGE_SCRIPT]);
    assert.doesNotThrow(() => new Function(LIVE_PAGE_SCRIPT), 'the page script parses');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.ok(csp.includes(`script-src 'sha256-${createHash('sha256').update(LIVE_PAGE_SCRIPT).digest('base64')}'`), csp);
    assert.doesNotMatch(csp, /unsafe|https?:|\*/);
    assert.equal(res.headers['cache-control'], 'no-store');

    assert.equal((await fetchText(`${page.url}nope`)).status, 404);
    assert.equal((await fetchText(page.url, { Host: 'evil.example:80' })).status, 403, 'DNS-rebinding hosts are refused');
    assert.equal((await fetchText(page.url, { Host: 'localhost:9000' })).status, 200, 'loopback names on any port (an SSH tunnel) are served');
  });

  it('streams a snapshot, then one message per event carrying the figures; /state catches a late browser up', async () => {
    const page = await startLivePage({ port: 0, kind: 'run' });
    pages.push(page);
    const events = await readEvents(page.url);
    assert.match(String(events.response.headers['content-type']), /^text\/event-stream/);
    const first = await events.next('snapshot');
    assert.equal(first.phase, 'waiting');
    assert.deepEqual(first.seconds, []);

    const config = baseConfig({ streams: 4, rate: 4000 });
    page.runStarted?.({ config, cellId: null, repetition: null });
    const fed = [1, 2, 3].map(progressAt);
    for (const p of fed) page.second?.(p);

    const started = await events.next('run-started');
    assert.equal(started.config.streams, 4);
    assert.equal(started.config.rate, 4000);
    const third = await events.next('second', (s) => s.second === 3);
    const p3 = fed[2] as LiveProgress;
    assert.equal(third.msgsPerS, p3.received);
    assert.equal(third.msgsPerS, 7);
    assert.deepEqual(third.latencyUs, p3.latencyUs);
    assert.ok(third.latencyUs.p99 > third.latencyUs.p50 && third.latencyUs.p50 > 0);
    assert.equal(third.errors, 3);
    assert.deepEqual(third.errorsByCategory, { transport: 3 });
    assert.equal(third.openStreams, 4);
    assert.equal(third.generatorCpu, 0.75);
    assert.equal(third.breakersOpen, 0);
    assert.equal((await events.next('second', (s) => s.second === 2)).breakersOpen, 1);
    assert.deepEqual(third.totals, { seconds: 3, received: 21, errors: 6, errorsByCategory: { transport: 6 }, reconnects: 3 });
    assert.equal('histogram' in third, false, 'no histogram goes to the browser');
    const raw = events.messages.filter((m) => m.event === 'second').map((m) => JSON.stringify(m.data).length);
    assert.ok(raw.every((n) => n < 600), `a second is one small message: ${raw.join(', ')} bytes`);

    // A browser joining now starts from everything so far.
    const late = await readEvents(page.url);
    const snap = await late.next('snapshot');
    assert.deepEqual(snap.seconds.map((s) => s.second), [1, 2, 3]);
    assert.equal(snap.phase, 'running');
    const state = JSON.parse((await fetchText(`${page.url}state`)).body) as LiveSnapshot;
    assert.deepEqual(state.seconds, snap.seconds);
    assert.equal(state.run?.config.rate, 4000);

    page.runFinished?.(openLoopRecord());
    const finished = await events.next('run-finished');
    assert.ok(finished.result);
    assert.equal(finished.result.sendLag?.meanMs, 30 / 1500);
    assert.deepEqual(finished.result.outages, [{ fromS: 1, toS: 2.5, durationS: 1.5, ongoing: false, streams: 3, reconnects: 2, lost: 5, delayed: 11 }]);
    page.finished?.('results/x.json');
    assert.deepEqual(await events.next('finished'), { resultsPath: 'results/x.json' });
    assert.deepEqual(await late.next('finished'), { resultsPath: 'results/x.json' });

    const t0 = performance.now();
    await page.close();
    assert.ok(performance.now() - t0 < CLOSE_GRACE_MS * 0.9, `close() does not wait out its ${CLOSE_GRACE_MS} ms grace when the browsers took everything`);
    await Promise.all([events.ended, late.ended]);
    assert.equal(events.messages.at(-1)?.event, 'end', 'the last message tells the page to stop reconnecting');
    assert.equal(late.messages.at(-1)?.event, 'end');
    await assert.rejects(fetchText(page.url), /ECONNREFUSED/);
  });

  it('runFinished(null) marks the run failed', async () => {
    const page = await startLivePage({ port: 0, kind: 'run' });
    pages.push(page);
    page.runStarted?.({ config: baseConfig(), cellId: null, repetition: null });
    page.runFinished?.(null);
    const events = await readEvents(page.url);
    const snap = await events.next('snapshot');
    assert.equal(snap.phase, 'failed');
    assert.equal(snap.result, null);
    events.close();
  });

  it('a sweep page sends the progress and the cells as they fill in', async () => {
    const page = await startLivePage({ port: 0, kind: 'sweep' });
    pages.push(page);
    const events = await readEvents(page.url);
    assert.deepEqual((await events.next('snapshot')).sweep, { progress: null, cells: [] });
    const cellId = 'compression=deflate,size=1024,window=65535';
    const progress = { phase: 'repetition-start' as const, cellIndex: 3, cellCount: 8, cellId, repetition: 1, repeat: 3, done: 4, total: 24, elapsedS: 20, etaS: 100 };
    page.sweepProgress?.(progress, null);
    page.runStarted?.({ config: baseConfig({ size: 1024, window: 65535, compression: 'deflate' }), cellId, repetition: 1 });
    page.second?.(progressAt(1));
    page.runFinished?.(syntheticRun({ msgsPerS: 3000, latencyUs: 100 }));
    page.sweepProgress?.({ ...progress, phase: 'repetition-end', done: 5, elapsedS: 25, etaS: 95 }, { cellId, msgsPerS: 3000, p99Us: 410 });
    const done = await events.next('sweep', (d) => d.progress.phase === 'repetition-end');
    assert.equal(done.progress.etaS, 95);
    assert.deepEqual(done.cell, { cellId, group: 'compression=deflate', size: 1024, window: 65535, compression: 'deflate', reps: [{ repetition: 1, msgsPerS: 3000, p99Us: 410 }] });
    assert.equal((await events.next('run-started')).cellId, cellId);
    events.close();
  });
});
