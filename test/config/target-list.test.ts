import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLb, formatTargetList, parseTargetList } from '../../src/config/target-list.js';
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { resolveProfile } from '../../src/profile/validate-profile.js';
import { ConfigError } from '../../src/errors.js';
import { workloadKey } from '../../src/results/workload-key.js';

const machine = { cpuCount: 2, platform: 'linux' };

test('a comma-separated list of addresses and DNS members parses in order', () => {
  const members = parseTargetList('127.0.0.1:50051, [::1]:50052,dns:///localhost:50053');
  assert.deepEqual(members, [
    { kind: 'address', host: '127.0.0.1', port: 50051 },
    { kind: 'address', host: '::1', port: 50052 },
    { kind: 'dns', host: 'localhost', port: 50053 },
  ]);
  assert.equal(formatTargetList(members), '127.0.0.1:50051,[::1]:50052,dns:///localhost:50053');
});

const bad: [string, boolean, RegExp][] = [
  ['127.0.0.1:1,,127.0.0.1:2', false, /--target has an empty member: .*got "127\.0\.0\.1:1,,127\.0\.0\.1:2"/],
  ['127.0.0.1:1,127.0.0.1:1', false, /--target lists 127\.0\.0\.1:1 twice/],
  ['127.0.0.1:1,10.0.0.1:2', false, /--target member 10\.0\.0\.1:2 is not a loopback address \(127\.0\.0\.0\/8, ::1, localhost\); pass --allow-remote/],
  ['dns:///example.com:443', false, /--target member dns:\/\/\/example\.com:443 is not a loopback name .*--allow-remote/],
  ['dns://localhost:50051', false, /a DNS member is written dns:\/\/\/NAME:PORT \(three slashes/],
  ['127.0.0.1:1,127.0.0.1:0', false, /--target member "127\.0\.0\.1:0" must be HOST:PORT with a port from 1 to 65535/],
  ['nonsense', false, /--target must be HOST:PORT/],
];
for (const [text, allowRemote, message] of bad) {
  test(`bad target list ${JSON.stringify(text)} → ConfigError`, () => {
    assert.throws(() => parseTargetList(text, allowRemote), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  });
}

test('--allow-remote applies to every member', () => {
  assert.equal(parseTargetList('127.0.0.1:1,10.0.0.1:2,dns:///example.com:443', true).length, 3);
});

test('lb defaults to round_robin for several addresses, pick_first for one; --lb is checked', () => {
  assert.equal(defaultLb(parseTargetList('127.0.0.1:1')), 'pick_first');
  assert.equal(defaultLb(parseTargetList('127.0.0.1:1,127.0.0.1:2')), 'round_robin');
  assert.equal(defaultLb(parseTargetList('dns:///localhost:1')), 'round_robin');
  assert.equal(resolveRunConfig({ target: '127.0.0.1:1,127.0.0.1:2' }, machine).lb, 'round_robin');
  assert.equal(resolveRunConfig({ target: '127.0.0.1:1,127.0.0.1:2', lb: 'pick_first' }, machine).lb, 'pick_first');
  assert.equal(resolveRunConfig({}, machine).lb, 'pick_first');
  assert.throws(
    () => resolveRunConfig({ target: '127.0.0.1:1', lb: 'random' }, machine),
    (e: unknown) => e instanceof ConfigError && /--lb must be one of pick_first, round_robin/.test(e.message) && /random/.test(e.message),
  );
});

test('round_robin is part of the workload key; pick_first keys match files from before lb', () => {
  const single = resolveRunConfig({ target: '127.0.0.1:1' }, machine);
  const { lb: _lb, ...legacy } = single;
  assert.equal(workloadKey(single), workloadKey(legacy));
  const rr = resolveRunConfig({ target: '127.0.0.1:1,127.0.0.1:2' }, machine);
  assert.match(workloadKey(rr), /lb=round_robin/);
  assert.notEqual(workloadKey(rr), workloadKey({ ...rr, lb: 'pick_first' }));
});

test('an embedded fleet (instances > 1) defaults to round_robin like an external list; --lb overrides; one instance stays pick_first', () => {
  const fleet = resolveRunConfig({ instances: 3 }, machine);
  assert.equal(fleet.target, null);
  assert.equal(fleet.lb, 'round_robin');
  assert.match(workloadKey(fleet), /lb=round_robin/);
  assert.equal(resolveRunConfig({ instances: 3, lb: 'pick_first' }, machine).lb, 'pick_first');
  assert.equal(resolveRunConfig({ instances: 1 }, machine).lb, 'pick_first');
});

test('a profile whose instances axis varies gets each cell its own default lb', () => {
  const profile = resolveProfile({ settings: { duration: 1 }, axes: { compression: ['identity'], size: [16], window: ['64KiB'], instances: [1, 2] } }, { name: 't', source: null }, machine);
  assert.deepEqual(profile.cells.map((c) => [c.config.instances, c.config.lb]), [[1, 'pick_first'], [2, 'round_robin']]);
});

test('sweep and check cells record --allow-partial', () => {
  const definition = { settings: { duration: 1 }, axes: { compression: ['identity'], size: [16], window: ['64KiB'] } };
  const partial = resolveProfile(definition, { name: 't', source: null }, machine, { target: '127.0.0.1:1,127.0.0.1:2', allowPartial: true });
  assert.equal(partial.cells[0]?.config.allowPartial, true);
  assert.equal(resolveProfile(definition, { name: 't', source: null }, machine, { target: '127.0.0.1:1,127.0.0.1:2' }).cells[0]?.config.allowPartial, false);
});
