import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { serverKeyOf } from '../../src/plan/estimate-sweep.js';
import { resolveProfileDocument } from '../../src/profile/load-profile.js';
import { parseResults } from '../../src/results/read-results.js';
import { fieldValue, varyingLabels, workloadKey } from '../../src/results/workload-key.js';
import { serveArgs } from '../../src/load/embedded-server.js';
import { initHistograms } from '../../src/stats/histogram.js';
import { runFile, syntheticRun } from '../helpers/synthetic-results.js';

const machine = { cpuCount: 2, platform: 'linux' };

test('instances: 1 by default, 1..64 for the embedded server, recorded in the config', () => {
  assert.equal(resolveRunConfig({ duration: 1 }, machine).instances, 1);
  assert.equal(resolveRunConfig({ duration: 1, instances: '3' }, machine).instances, 3);
  assert.equal(resolveRunConfig({ duration: 1, instances: 64 }, machine).instances, 64);
  for (const bad of [0, 65, '2.5', 'two']) {
    assert.throws(() => resolveRunConfig({ duration: 1, instances: bad }, machine), {
      name: 'ConfigError',
      message: `--instances must be an integer from 1 to 64 (echo-server processes), got ${typeof bad === 'string' ? JSON.stringify(bad) : bad}`,
    });
  }
});

test('instances is refused with a --target: it describes the embedded server', () => {
  assert.throws(() => resolveRunConfig({ duration: 1, instances: 2, target: '127.0.0.1:50051' }, machine), {
    name: 'ConfigError',
    message: '--instances applies only to the embedded echo server; it cannot be used with --target (start a fleet with serve --instances and list its addresses)',
  });
  assert.equal(resolveRunConfig({ duration: 1, target: '127.0.0.1:50051' }, machine).instances, 1);
});

test('an embedded fleet is balanced round robin unless --lb says otherwise', () => {
  assert.equal(resolveRunConfig({ duration: 1, instances: 2 }, machine).lb, 'round_robin');
  assert.equal(resolveRunConfig({ duration: 1, instances: 2, lb: 'pick_first' }, machine).lb, 'pick_first');
});

test('instances is part of the embedded server key: fleets of other sizes are other servers', () => {
  const one = resolveRunConfig({ duration: 1 }, machine);
  const two = resolveRunConfig({ duration: 1, instances: 2 }, machine);
  assert.notEqual(serverKeyOf(one), serverKeyOf(two));
  assert.equal(serverKeyOf(two), serverKeyOf(resolveRunConfig({ duration: 1, instances: 2, streams: 8 }, machine)));
  assert.match(serverKeyOf(two) ?? '', /instances=2/);
});

test('the workload key names instances only when there is more than one, so one-process keys stay as they were', () => {
  const one = resolveRunConfig({ duration: 1 }, machine);
  const two = resolveRunConfig({ duration: 1, instances: 2 }, machine);
  assert.doesNotMatch(workloadKey(one), /instances/);
  const before: Record<string, unknown> = { ...one };
  delete before.instances;
  assert.equal(workloadKey(before as unknown as typeof one), workloadKey(one), 'a config recorded before the setting');
  assert.match(workloadKey(two), /,instances=2(,|$)/);
  const [oneLabel, twoLabel] = varyingLabels([workloadKey(one), workloadKey(two)]);
  assert.doesNotMatch(oneLabel ?? '', /instances/);
  assert.match(twoLabel ?? '', /(^|,)instances=2(,|$)/);
  assert.equal(fieldValue(one, {}, 'instances'), '1');
  assert.equal(fieldValue(two, {}, 'instances'), '2');
});

test('results files written before fleets read as one instance', async () => {
  await initHistograms();
  const file = runFile(syntheticRun({ msgsPerS: 1000, latencyUs: 100 }));
  const json = JSON.parse(JSON.stringify(file)) as { run: { config: Record<string, unknown> } };
  delete json.run.config.instances;
  const parsed = parseResults(json, 'old.json');
  assert.equal(parsed.kind === 'run' ? parsed.run.config.instances : undefined, 1);
});

test('instances is a profile setting and a sweep axis, checked by its path', () => {
  const base = { repeat: 1, settings: { duration: 1, warmup: 0 }, axes: { compression: ['identity'], size: [16], window: [65535] } };
  const axis = resolveProfileDocument({ ...base, axes: { ...base.axes, instances: [1, 2] } });
  assert.deepEqual(
    axis.cells.map((c) => c.config.instances),
    [1, 2],
  );
  assert.notEqual(serverKeyOf(axis.cells[0]!.config), serverKeyOf(axis.cells[1]!.config));
  const setting = resolveProfileDocument({ ...base, settings: { ...base.settings, instances: 3 } });
  assert.equal(setting.cells[0]?.config.instances, 3);
  assert.throws(() => resolveProfileDocument({ ...base, axes: { ...base.axes, instances: [1, 65] } }), {
    name: 'ConfigError',
    message: /axes\.instances\[1\] must be an integer from 1 to 64 \(echo-server processes\), got 65/,
  });
});

test('the embedded server of a fleet is started as serve --instances N, pinned over the server CPUs', () => {
  const common = { host: '127.0.0.1', window: null, maxMessageSize: 4194304, delayMs: 0, securityArgs: [] };
  assert.deepEqual(serveArgs({ ...common, cpus: '0' }), ['serve', '--host', '127.0.0.1', '--port', '0', '--max-message-size', '4194304']);
  assert.deepEqual(serveArgs({ ...common, cpus: '0-1', instances: 3 }).slice(-4), ['--instances', '3', '--cpus', '0-1']);
  assert.deepEqual(serveArgs({ ...common, cpus: null, instances: 2 }).slice(-2), ['--instances', '2']);
});
