import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, TargetError } from '../../src/errors.js';
import { firstReachable, resolveTargets } from '../../src/load/resolve-targets.js';
import { homeAddress } from '../../src/load/connection-placement.js';

const down = new Set(['127.0.0.1:2']);
/** Stream limits the reachable servers advertise (the rest advertise none). */
const limits = new Map([['127.0.0.1:7', 100]]);
const probe = async (address: string): Promise<number | null> => {
  if (down.has(address)) throw new TargetError(`target ${address} is unreachable: connect ECONNREFUSED ${address}`);
  return limits.get(address) ?? null;
};
const lookup = async (host: string): Promise<string[]> => {
  if (host === 'localhost') return ['127.0.0.1', '::1'];
  if (host === 'evil.localhost') return ['10.0.0.7'];
  throw new Error(`getaddrinfo ENOTFOUND ${host}`);
};

test('DNS members resolve to all their addresses, duplicates once', async () => {
  const r = await resolveTargets('dns:///localhost:7,127.0.0.1:7', { lookup, probe });
  assert.deepEqual(r, { addresses: ['127.0.0.1:7', '[::1]:7'], warnings: [], streamLimit: 100 });
});

test("the stream limit is the first reachable address's, read by the reachability check", async () => {
  assert.equal((await resolveTargets('127.0.0.1:7', { lookup, probe })).streamLimit, 100);
  assert.equal((await resolveTargets('127.0.0.1:1,127.0.0.1:7', { lookup, probe })).streamLimit, null);
  assert.equal((await resolveTargets('127.0.0.1:2,127.0.0.1:7', { lookup, probe, allowPartial: true })).streamLimit, 100, 'the unreachable first member is skipped');
});

test('an unreachable member is a TargetError naming it (exit 3)', async () => {
  await assert.rejects(resolveTargets('127.0.0.1:1,127.0.0.1:2', { lookup, probe }), (e: unknown) => {
    return e instanceof TargetError && e.exitCode === 3 && /target 127\.0\.0\.1:2 is unreachable: .*ECONNREFUSED.*; pass --allow-partial/.test(e.message);
  });
});

test('--allow-partial drops unreachable members with a warning; at least one must remain', async () => {
  const r = await resolveTargets('127.0.0.1:1,127.0.0.1:2,dns:///nowhere:3', { lookup, probe, allowPartial: true });
  assert.deepEqual(r.addresses, ['127.0.0.1:1']);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings.join('\n'), /127\.0\.0\.1:2 is unreachable.*dropped, the run loaded 1 address \(127\.0\.0\.1:1\)/);
  assert.match(r.warnings.join('\n'), /dns:\/\/\/nowhere:3 could not be resolved: getaddrinfo ENOTFOUND nowhere/);
  await assert.rejects(resolveTargets('127.0.0.1:2', { lookup, probe, allowPartial: true }), TargetError);
  await assert.rejects(resolveTargets('127.0.0.1:2,dns:///nowhere:3', { lookup, probe, allowPartial: true }), /no member of the --target list .* is reachable/);
});

test('a loopback name that resolves to a remote address is refused', async () => {
  // "evil.localhost" is not a loopback name by our rules: only "localhost" is trusted to stay loopback.
  const localhostRemote = async (): Promise<string[]> => ['10.0.0.7'];
  await assert.rejects(resolveTargets('dns:///localhost:1', { lookup: localhostRemote, probe }), (e: unknown) => e instanceof ConfigError && /resolved to 10\.0\.0\.7, which is not a loopback address/.test(e.message));
});

test('round_robin places connection c of the run on address c mod n; pick_first on the first', () => {
  const addresses = ['a:1', 'b:1', 'c:1'];
  // Two workers, 3 connections: worker 0 has connections 0 and 1, worker 1 has connection 2.
  assert.deepEqual([0, 1].map((c) => homeAddress({ addresses, lb: 'round_robin', firstConnection: 0 }, c)), [0, 1]);
  assert.deepEqual([0].map((c) => homeAddress({ addresses, lb: 'round_robin', firstConnection: 2 }, c)), [2]);
  assert.equal(homeAddress({ addresses, lb: 'round_robin', firstConnection: 2 }, 2), 1);
  assert.equal(homeAddress({ addresses, lb: 'pick_first', firstConnection: 2 }, 1), 0);
});

test('firstReachable: members in order (DNS: its addresses in order), the first that answers; why the others were passed over', async () => {
  assert.deepEqual(await firstReachable('127.0.0.1:2,127.0.0.1:3,127.0.0.1:1', { lookup, probe }), {
    address: '127.0.0.1:3',
    skipped: ['target 127.0.0.1:2 is unreachable: connect ECONNREFUSED 127.0.0.1:2'],
  });
  assert.deepEqual(await firstReachable('dns:///nowhere:9,dns:///localhost:2', { lookup, probe }), {
    address: '[::1]:2',
    skipped: ['target dns:///nowhere:9 could not be resolved: getaddrinfo ENOTFOUND nowhere', 'target 127.0.0.1:2 is unreachable: connect ECONNREFUSED 127.0.0.1:2'],
  });
  // Only the members up to the first that answers are tried.
  const tried: string[] = [];
  await firstReachable('127.0.0.1:1,127.0.0.1:2', { lookup, probe: async (a) => void tried.push(a) });
  assert.deepEqual(tried, ['127.0.0.1:1']);
});

test('firstReachable: none answering is a TargetError naming each; one address keeps its own message; remote DNS answers are refused', async () => {
  await assert.rejects(firstReachable('127.0.0.1:2', { lookup, probe }), (e: unknown) => e instanceof TargetError && e.message === 'target 127.0.0.1:2 is unreachable: connect ECONNREFUSED 127.0.0.1:2');
  await assert.rejects(firstReachable('127.0.0.1:2,dns:///nowhere:3', { lookup, probe }), (e: unknown) => {
    return e instanceof TargetError && /^no member of the --target list 127\.0\.0\.1:2,dns:\/\/\/nowhere:3 is reachable: target 127\.0\.0\.1:2 is unreachable: .*; target dns:\/\/\/nowhere:3 could not be resolved/.test(e.message);
  });
  await assert.rejects(firstReachable('dns:///localhost:5', { lookup: async () => ['10.0.0.7'], probe }), ConfigError);
});
