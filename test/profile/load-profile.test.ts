import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listProfiles, loadProfile, parseSetting, withSettings } from '../../src/profile/load-profile.js';
import { writeTempProfile } from '../helpers/sweep-cli.js';

test('the shipped profiles load and validate', () => {
  assert.deepEqual(listProfiles(), ['ci', 'full', 'pool', 'quick', 'security']);
  const pool = loadProfile('pool');
  assert.equal(pool.cells.length, 2 * 4);
  assert.deepEqual(pool.axes.find((a) => a.name === 'connectionChurn')?.values, [null, 100, 10, 1]);
  assert.ok(pool.cells.every((cell) => cell.config.messagesPerStream === 10), 'churned connections need calls that end');
  const security = loadProfile('security');
  assert.equal(security.cells.length, 2 * 5 * 2);
  assert.deepEqual(security.axes.find((a) => a.name === 'security')?.values, ['plaintext', 'tls', 'mtls', 'tls+jwt', 'mtls+jwt']);
  assert.deepEqual(security.axes.find((a) => a.name === 'messagesPerStream')?.values, [null, 10]);
  const quick = loadProfile('quick');
  assert.equal(quick.cells.length, 2 * 3 * 2);
  assert.deepEqual(quick.axes.find((a) => a.name === 'compression')?.values, ['identity', 'gzip']);
  const full = loadProfile('full');
  const sizes = full.axes.find((a) => a.name === 'size')?.values as number[];
  const windows = full.axes.find((a) => a.name === 'window')?.values as number[];
  assert.equal(Math.min(...sizes), 16);
  assert.equal(Math.max(...sizes), 1024 * 1024);
  assert.equal(Math.min(...windows), 64 * 1024);
  assert.equal(Math.max(...windows), 16 * 1024 * 1024);
  assert.deepEqual(full.axes.find((a) => a.name === 'compression')?.values, ['identity', 'gzip', 'deflate']);
  assert.ok(loadProfile('ci').source?.endsWith(join('bench', 'profiles', 'ci.json')));
});

test('a profile path loads; errors name the file and the field', () => {
  const { dir, profile } = writeTempProfile({ axes: { compression: ['gzip'], size: [16, -5], window: [65535] } });
  assert.throws(() => loadProfile(profile), { message: `profile ${profile}: axes.size[1] must be an integer from 0 to 4194281 (the echo of a larger message exceeds settings.maxMessageSize 4194304), got -5` });
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "axes": ');
  assert.throws(() => loadProfile(broken), /profile .*broken\.json is not valid JSON: /);
});

test('an unknown profile name lists the shipped ones', () => {
  assert.throws(() => loadProfile('nope'), /profile "nope" not found: cannot read .*nope\.json .*; shipped profiles: ci, full, pool, quick, security$/);
  assert.throws(() => loadProfile('../x y'), /must be a profile name|not found/);
});

test('--set KEY=VALUE overrides land in settings, typed, and are validated like the file', () => {
  assert.deepEqual(parseSetting('streams=32'), ['streams', 32]);
  assert.deepEqual(parseSetting('verify=true'), ['verify', true]);
  assert.deepEqual(parseSetting('pacing=timer'), ['pacing', 'timer']);
  assert.throws(() => parseSetting('streams'), /--set must be KEY=VALUE/);
  assert.deepEqual(withSettings({ settings: { streams: 8, duration: 1 }, axes: {} }, ['streams=32']), { settings: { streams: 32, duration: 1 }, axes: {} });
  const profile = loadProfile('quick', { set: ['streams=32', 'inFlight=4'] });
  assert.ok(profile.cells.every((c) => c.config.streams === 32 && c.config.inFlight === 4));
  assert.throws(() => loadProfile('quick', { set: ['streams=0'] }), /settings\.streams must be an integer from 1 to 100000, got 0/);
  assert.throws(() => loadProfile('quick', { set: ['strems=3'] }), /settings\.strems is not a known setting/);
});
