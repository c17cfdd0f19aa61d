import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStartAt, resolveShard } from '../../src/config/resolve-shard.js';
import { ConfigError } from '../../src/errors.js';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');

function throwsConfig(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('no shard option: an ordinary run', () => {
  assert.equal(resolveShard({}, NOW), null);
});

test('K/N, run id and start time', () => {
  assert.deepEqual(resolveShard({ shard: '2/3', runId: 'nightly-42', startAt: '2026-11-25T10:00:05Z' }, NOW), {
    index: 2,
    count: 3,
    runId: 'nightly-42',
    startAtMs: NOW + 5000,
  });
  assert.deepEqual(resolveShard({ shard: '1/1' }, NOW), { index: 1, count: 1, runId: 'run-2026-11-25T10-00-00.000Z', startAtMs: null });
  assert.equal(resolveShard({ startAt: String(NOW + 1500) }, NOW)?.startAtMs, NOW + 1500);
  assert.equal(resolveShard({ shard: '1/2', runId: 'a', startAt: NOW + 10 }, NOW)?.startAtMs, NOW + 10);
  assert.equal(resolveShard({ shard: '1/2', runId: 'a', startAt: new Date(NOW + 20) }, NOW)?.startAtMs, NOW + 20);
  assert.equal(resolveShard({ shard: '1/2', runId: 'a', startAt: '2026-11-25T11:00:01.250+01:00' }, NOW)?.startAtMs, NOW + 1250);
  assert.equal(resolveShard({ shard: '1000/1000', runId: 'a' }, NOW)?.count, 1000);
});

const bad: [string, Record<string, unknown>, string | RegExp][] = [
  ['not K/N', { shard: '2', runId: 'a' }, '--shard must be K/N, this process\'s part K of N shards (1 ≤ K ≤ N ≤ 1000, e.g. 2/3), got "2"'],
  ['K beyond N', { shard: '4/3', runId: 'a' }, '--shard 4/3: K must be from 1 to N (3); shards are numbered from 1, got 4'],
  ['K = 0', { shard: '0/3', runId: 'a' }, '--shard 0/3: K must be from 1 to N (3); shards are numbered from 1, got 0'],
  ['N too large', { shard: '1/1001', runId: 'a' }, '--shard 1/1001: N must be from 1 to 1000, got 1001'],
  ['N = 0', { shard: '0/0' }, '--shard 0/0: N must be from 1 to 1000, got 0'],
  ['no run id', { shard: '2/3' }, /^--run-id is required with --shard 2\/3: give every shard of the run the same ID/],
  ['bad run id', { shard: '2/3', runId: 'a b' }, '--run-id must be 1 to 128 characters of A-Z, a-z, 0-9, \'.\', \'_\' and \'-\', got "a b"'],
  ['long run id', { shard: '2/3', runId: 'x'.repeat(129) }, /^--run-id must be 1 to 128 characters/],
  ['empty run id', { shard: '2/3', runId: '' }, /^--run-id must be 1 to 128 characters.*got ""$/],
  ['not a time', { startAt: 'tomorrow' }, '--start-at must be an ISO 8601 time with a time zone (e.g. 2026-11-25T10:00:00Z or 2026-11-25T11:00:00+01:00) or Unix epoch milliseconds, got "tomorrow"'],
  ['no time zone', { startAt: '2026-11-25T10:00:05' }, /^--start-at must be an ISO 8601 time with a time zone/],
  ['in the past', { startAt: '2026-11-25T09:59:57Z' }, '--start-at "2026-11-25T09:59:57Z" is 3000 ms in the past; at most 1 s late is accepted: give a time ahead, the same on every shard'],
  ['long ago', { startAt: String(NOW - 600_000) }, /is 10 min in the past/],
  ['Unix seconds', { startAt: String(Math.floor(NOW / 1000)) }, /in the past \(it looks like Unix seconds: give milliseconds\)/],
  ['too far ahead', { startAt: '2026-11-26T10:00:01Z' }, '--start-at "2026-11-26T10:00:01Z" is 24 h ahead, more than the 24 h accepted (2026-11-26T10:00:00.000Z at the latest)'],
];

for (const [name, input, message] of bad) {
  test(`rejected: ${name}`, () => throwsConfig(() => resolveShard(input, NOW), message));
}

test('a start up to 1 s late is accepted (the run starts at once)', () => {
  assert.equal(parseStartAt(NOW - 1000, NOW), NOW - 1000);
  throwsConfig(() => parseStartAt(NOW - 1001, NOW), /is 1001 ms in the past/);
});
