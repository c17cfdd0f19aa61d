import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { resolveProfile } from '../../src/profile/validate-profile.js';

const machine = { cpuCount: 2, platform: 'linux' };
const origin = { name: 'test', source: null };
const valid = (): Record<string, unknown> => ({
  description: 'ok',
  repeat: 2,
  settings: { streams: 4, inFlight: 8, duration: 1, warmup: 0 },
  axes: { compression: ['identity', 'gzip'], size: [16, '1KiB', 16384], window: [65535, '1MiB'] },
});
const withAxes = (axes: Record<string, unknown>): Record<string, unknown> => ({ ...valid(), axes: { ...(valid().axes as object), ...axes } });
const withSettings = (settings: Record<string, unknown>): Record<string, unknown> => ({ ...valid(), settings });

test('a valid profile expands into every combination, resolved', () => {
  const p = resolveProfile(valid(), origin, machine);
  assert.equal(p.repeat, 2);
  assert.equal(p.cells.length, 2 * 3 * 2);
  assert.deepEqual(p.axes.find((a) => a.name === 'size')?.values, [16, 1024, 16384]);
  assert.equal(p.cells[0]?.id, 'compression=identity,size=16,window=65535');
  assert.equal(p.cells[11]?.id, 'compression=gzip,size=16384,window=1048576');
  const cell = p.cells[3];
  assert.equal(cell?.config.size, 1024);
  assert.equal(cell?.config.window, 1048576);
  assert.equal(cell?.config.streams, 4);
  assert.equal(cell?.config.inFlight, 8);
  assert.equal(cell?.config.durationS, 1);
  assert.equal(cell?.config.warmupS, 0);
  assert.equal(new Set(p.cells.map((c) => c.id)).size, 12);
});

test('repeat defaults to 3 and optional axes multiply the cells', () => {
  const definition = withAxes({ streams: [1, 8] });
  delete definition.repeat;
  definition.settings = { duration: 1 };
  const p = resolveProfile(definition, origin, machine);
  assert.equal(p.repeat, 3);
  assert.equal(p.cells.length, 24);
  assert.match(p.cells[0]?.id ?? '', /^compression=identity,size=16,window=65535,streams=1$/);
  assert.equal(p.cells[1]?.config.streams, 8);
});

test('worker heap limits are profile settings, checked and named by their path', () => {
  const p = resolveProfile(withSettings({ duration: 1, workerHeap: '2GiB', workerYoung: 96 }), origin, machine);
  assert.ok(p.cells.every((c) => c.config.workerHeapMiB === 2048 && c.config.workerYoungMiB === 96));
  assert.throws(() => resolveProfile(withSettings({ duration: 1, workerHeap: 8 }), origin, machine), /^ConfigError: settings\.workerHeap must be a whole number of MiB from 32 to 65536/);
});

test('a target re-resolves every cell against that server', () => {
  const p = resolveProfile(valid(), origin, machine, { target: '127.0.0.1:50051' });
  assert.ok(p.cells.every((c) => c.config.target === '127.0.0.1:50051' && c.config.serverCpus === null));
});

const invalid: [string, unknown, RegExp][] = [
  ['not an object', [1, 2], /^profile must be a JSON object with the keys description, repeat, settings, axes, got a list \[1,2\]$/],
  ['unknown top-level key', { ...valid(), axis: {} }, /^axis is not a known profile key; allowed: description, repeat, settings, axes; got key "axis"$/],
  ['description not a string', { ...valid(), description: 5 }, /^description must be a string, got 5$/],
  ['repeat out of range', { ...valid(), repeat: 0 }, /^repeat must be an integer from 1 to 100, got 0$/],
  ['repeat not an integer', { ...valid(), repeat: 1.5 }, /^repeat must be an integer from 1 to 100, got 1.5$/],
  ['settings not an object', { ...valid(), settings: 'fast' }, /^settings must be an object of run settings \(engine, lb, security, compressibility, messagesPerStream, connectionChurn, workers, .*\), got "fast"$/],
  ['unknown setting', withSettings({ strems: 4 }), /^settings\.strems is not a known setting; allowed: engine, lb, security, compressibility, messagesPerStream, connectionChurn, workers, connections, streams, inFlight, .*; got key "strems"$/],
  ['target in settings', withSettings({ target: '127.0.0.1:1' }), /^settings\.target is not a known setting; allowed: .*; got key "target"$/],
  ['a required axis in settings', withSettings({ size: 16 }), /^settings\.size is a sweep axis; list its values in axes\.size instead, got settings\.size = 16$/],
  ['setting value', withSettings({ streams: -1 }), /^settings\.streams must be an integer from 1 to 100000, got -1$/],
  ['setting duration', withSettings({ duration: 'long' }), /^settings\.duration must be a number greater than 0 and at most 86400, got "long"$/],
  ['setting verify', withSettings({ verify: 'yes' }), /^settings\.verify must be true or false, got "yes"$/],
  ['cross-field check names the paths', withSettings({ streams: 1, connections: 2 }), /^settings\.streams \(1\) must be at least settings\.connections \(2\): each connection carries at least one stream$/],
  ['axes missing', { ...valid(), axes: undefined }, /^axes must be an object with the lists compression, size, window, got nothing$/],
  ['axes a list', { ...valid(), axes: [] }, /^axes must be an object with the lists compression, size, window, got \[\] \(an empty list\)$/],
  ['unknown axis', withAxes({ colour: ['red'] }), /^axes\.colour is not a known sweep axis; allowed: compression, size, window, engine, lb, security, compressibility, messagesPerStream, connectionChurn, workers, connections, streams, inFlight, rate, maxMessageSize, instances; got key "colour"$/],
  ['required axis missing', { ...valid(), axes: { compression: ['gzip'], size: [16] } }, /^axes\.window is required: a non-empty list of flow-control windows in bytes \(e\.g\. 65535, "1MiB"\), got nothing$/],
  ['axis not a list', withAxes({ size: 16 }), /^axes\.size must be a non-empty list of values, got 16$/],
  ['axis empty', withAxes({ compression: [] }), /^axes\.compression must be a non-empty list of values, got \[\] \(an empty list\)$/],
  ['axis too long', withAxes({ size: Array.from({ length: 33 }, (_, i) => i) }), /^axes\.size must have at most 32 values, got 33$/],
  ['negative size', withAxes({ size: [16, 1024, -5] }), /^axes\.size\[2\] must be an integer from 0 to 4194281 \(the echo of a larger message exceeds settings\.maxMessageSize 4194304\), got -5$/],
  ['size string', withAxes({ size: ['1KB', 'lots'] }), /^axes\.size\[1\] must be a byte count from 0 to 4194281 .*\(e\.g\. 16, 1KiB, 1MiB\), got "lots"$/],
  ['size over max message size', { ...withAxes({ size: [4096] }), settings: { maxMessageSize: 2048 } }, /^axes\.size\[0\] must be an integer from 0 to 2025 \(the echo of a larger message exceeds settings\.maxMessageSize 2048\), got 4096$/],
  ['window below the minimum', withAxes({ window: [65535, 1000] }), /^axes\.window\[1\] must be an integer from 65535 to 2147483647, got 1000$/],
  ['bad compression', withAxes({ compression: ['gzip', 'br'] }), /^axes\.compression\[1\] must be one of identity, deflate, gzip, got "br"$/],
  ['optional axis value', withAxes({ workers: [1, 0] }), /^axes\.workers\[1\] must be an integer from 1 to 64, got 0$/],
  ['duplicate axis values', withAxes({ size: [1024, '1KiB'] }), /^axes\.size\[1\] repeats axes\.size\[0\]; each value may appear once, got "1KiB" \(= 1024\)$/],
  ['setting and axis both', { ...withAxes({ streams: [1, 2] }), settings: { streams: 4 } }, /^settings\.streams is also a sweep axis \(axes\.streams\); give it in one place, got both$/],
  ['too many cells', withAxes({ size: Array.from({ length: 32 }, (_, i) => i), window: Array.from({ length: 32 }, (_, i) => 65535 + i) }), /^axes must make at most 512 cells, got 2048 \(2 × 32 × 32\)$/],
];

for (const [name, definition, message] of invalid) {
  test(`profile error: ${name}`, () => {
    assert.throws(
      () => resolveProfile(definition, origin, machine),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
        assert.match(error.message, message);
        assert.equal(error.exitCode, 2);
        return true;
      },
    );
  });
}
