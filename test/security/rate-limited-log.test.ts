import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimitedLog } from '../../src/security/rate-limited-log.js';

/** A log on a fake clock whose scheduled summaries run when the test advances the clock. */
function fakeLog() {
  let now = 0;
  const lines: string[] = [];
  const timers: Array<{ at: number; run: () => void; cancelled: boolean }> = [];
  const log = createRateLimitedLog({
    write: (line) => lines.push(`${now}: ${line}`),
    summarize: (key, count) => `${key}: ${count} more suppressed`,
    intervalMs: 1_000,
    now: () => now,
    schedule: (run, delayMs) => {
      const timer = { at: now + delayMs, run, cancelled: false };
      timers.push(timer);
      return () => void (timer.cancelled = true);
    },
  });
  const advance = (to: number): void => {
    for (const timer of timers.filter((t) => !t.cancelled && t.at <= to).sort((a, b) => a.at - b.at)) {
      now = timer.at;
      timer.cancelled = true;
      timer.run();
    }
    now = to;
  };
  return { log, lines, advance };
}

test('one line per key per interval; the suppressed count follows when the interval ends', () => {
  const { log, lines, advance } = fakeLog();
  assert.equal(log.note('token expired', 'rejected: token expired'), true);
  advance(100);
  assert.equal(log.note('token expired', 'rejected: token expired'), false);
  assert.equal(log.note('missing bearer token', 'rejected: missing bearer token'), true, 'keys are limited separately');
  advance(200);
  log.note('token expired', 'rejected: token expired');
  log.note('token expired', 'rejected: token expired');
  assert.deepEqual(lines, ['0: rejected: token expired', '100: rejected: missing bearer token']);
  advance(1_000);
  assert.deepEqual(lines.slice(2), ['1000: token expired: 3 more suppressed']);
  // The summary was this interval's line: the next note within it is counted, not written.
  advance(1_500);
  assert.equal(log.note('token expired', 'rejected: token expired'), false);
  advance(3_000);
  assert.deepEqual(lines.slice(3), ['2000: token expired: 1 more suppressed']);
  assert.equal(log.note('token expired', 'rejected: token expired'), true, 'a quiet interval later, lines are written again');
  assert.equal(lines.at(-1), '3000: rejected: token expired');
});

test('a flood costs one line per interval per key, and every note is accounted for', () => {
  const { log, lines, advance } = fakeLog();
  let written = 0;
  for (let t = 0; t < 5_000; t += 10) {
    advance(t);
    if (log.note('token expired', 'rejected: token expired')) written++;
  }
  log.flush();
  const suppressed = lines.map((line) => /: (\d+) more suppressed$/.exec(line)).reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0);
  assert.equal(written + suppressed, 500);
  assert.ok(lines.length <= 6, lines.join('\n'));
  const times = lines.map((line) => Number(line.split(':')[0]));
  for (let i = 1; i < times.length - 1; i++) assert.ok((times[i] as number) - (times[i - 1] as number) >= 1_000, lines.join('\n'));
});

test('flush writes pending counts at once and cancels their timers', () => {
  const { log, lines, advance } = fakeLog();
  log.note('a', 'line a');
  log.note('a', 'line a');
  log.note('b', 'line b');
  log.flush();
  assert.deepEqual(lines, ['0: line a', '0: line b', '0: a: 1 more suppressed']);
  advance(10_000);
  assert.equal(lines.length, 3);
});

test('a late summary timer: the summary is the line of the new interval and the new note is counted', () => {
  let now = 0;
  const lines: string[] = [];
  const log = createRateLimitedLog({
    write: (line) => lines.push(`${now}: ${line}`),
    summarize: (key, count) => `${key}: ${count} more suppressed`,
    intervalMs: 1_000,
    now: () => now,
    schedule: () => () => undefined, // a busy event loop: the timer never gets to run
  });
  log.note('a', 'line a');
  now = 100;
  log.note('a', 'line a');
  now = 1_500;
  assert.equal(log.note('a', 'line a'), false);
  assert.deepEqual(lines, ['0: line a', '1500: a: 1 more suppressed']);
  log.flush();
  assert.deepEqual(lines.slice(2), ['1500: a: 1 more suppressed']);
});
