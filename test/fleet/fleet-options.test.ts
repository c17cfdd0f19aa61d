import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeExit, instancePidLine, listeningLine, parseInstancePidLine, parseListeningLine, relayedLine } from '../../src/fleet/fleet-lines.js';
import { checkFleetCpus, checkInstances, describeCpus, fleetPorts, instanceArgs, instanceCpu, instanceStatsPath } from '../../src/fleet/fleet-options.js';

test('checkInstances takes integers from 1 to 64 and names the flag otherwise', () => {
  assert.equal(checkInstances('--instances', '3'), 3);
  assert.equal(checkInstances('--instances', 64), 64);
  for (const bad of ['0', '65', 'x', '1.5', '', -1]) {
    assert.throws(() => checkInstances('--instances', bad), {
      name: 'ConfigError',
      message: new RegExp(`^--instances must be an integer from 1 to 64 \\(echo-server processes\\), got ${typeof bad === 'string' ? `"${bad.replace('.', '\\.')}"` : bad}$`),
    });
  }
});

test('fleetPorts: consecutive from the port, all 0 for free ports, refused past 65535', () => {
  assert.deepEqual(fleetPorts('--port', 50051, 3), [50051, 50052, 50053]);
  assert.deepEqual(fleetPorts('--port', 0, 3), [0, 0, 0]);
  assert.deepEqual(fleetPorts('--port', 65535, 1), [65535]);
  assert.throws(() => fleetPorts('--port', 65534, 3), {
    name: 'ConfigError',
    message: '--port 65534 with --instances 3 needs ports 65534 to 65536, but ports end at 65535; give a lower --port or 0 for free ports',
  });
});

test('checkFleetCpus keeps the order written, drops repeats, and names a CPU that is not there', () => {
  const here = [0, 1, 2, 3];
  assert.deepEqual(checkFleetCpus('--cpus', '0,1', here), [0, 1]);
  assert.deepEqual(checkFleetCpus('--cpus', '0-3', here), [0, 1, 2, 3]);
  assert.deepEqual(checkFleetCpus('--cpus', '3,0-1,1', here), [3, 0, 1]);
  assert.deepEqual(checkFleetCpus('--cpus', 2, here), [2]);
  assert.throws(() => checkFleetCpus('--cpus', '0,7', here), {
    name: 'ConfigError',
    message: '--cpus names CPU 7, which does not exist here or is not allowed for this process (CPUs here: 0-3), got "0,7"',
  });
  assert.throws(() => checkFleetCpus('--cpus', 'a,b', here), {
    name: 'ConfigError',
    message: '--cpus must be a CPU list in taskset syntax such as 0, 0-3 or 0,2 (CPUs here: 0-3), got "a,b"',
  });
  assert.throws(() => checkFleetCpus('--cpus', '3-1', here), { name: 'ConfigError', message: /the range 3-1 runs backwards; write it as 1-3/ });
  assert.throws(() => checkFleetCpus('--cpus', '1', [0, 2]), { message: /CPU 1, which does not exist here .*\(CPUs here: 0,2\)/ });
});

test('describeCpus and instanceCpu (round robin)', () => {
  assert.equal(describeCpus([5, 0, 1, 2]), '0-2,5');
  assert.equal(describeCpus([]), 'none');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => instanceCpu([2, 3], i)), [2, 3, 2, 3, 2]);
  assert.equal(instanceCpu(null, 4), null);
});

test('instanceStatsPath puts the instance index before the extension', () => {
  assert.equal(instanceStatsPath('out/faults.json', 2), 'out/faults-2.json');
  assert.equal(instanceStatsPath('faults', 0), 'faults-0');
});

test('instanceArgs passes every other flag through and replaces the fleet flags', () => {
  const argv = ['serve', '--instances', '3', '--port', '50051', '--cpus=0,1', '--window', '1MiB', '--prometheus', '9464', '--stats', 'f.json', '--fail-rate', '0.1', '--instances=3'];
  assert.deepEqual(instanceArgs(argv, { port: 50052, prometheus: 9465, stats: 'f-1.json' }), [
    'serve',
    '--window',
    '1MiB',
    '--fail-rate',
    '0.1',
    '--instances',
    '1',
    '--port',
    '50052',
    '--prometheus',
    '9465',
    '--stats',
    'f-1.json',
  ]);
  assert.deepEqual(instanceArgs(['serve', '--instances', '2', '--delay-ms', '5'], { port: 0, prometheus: null, stats: null }), [
    'serve',
    '--delay-ms',
    '5',
    '--instances',
    '1',
    '--port',
    '0',
  ]);
});

test('fleet lines: the ready line keeps its format; pid lines parse back', () => {
  assert.equal(listeningLine('127.0.0.1:50051'), 'listening on 127.0.0.1:50051');
  assert.equal(parseListeningLine('listening on [::1]:50051'), '[::1]:50051');
  assert.equal(parseListeningLine('metrics on http://127.0.0.1:9464/metrics'), null);
  const line = instancePidLine(2, 1234, '127.0.0.1:50053');
  assert.equal(line, 'instance 2: pid 1234, listening on 127.0.0.1:50053');
  assert.deepEqual(parseInstancePidLine(line), { index: 2, pid: 1234, target: '127.0.0.1:50053' });
  assert.equal(parseInstancePidLine(relayedLine(2, 'instance 1: pid 5, listening on x:1')), null);
  assert.equal(describeExit(null, 'SIGKILL'), 'killed by signal SIGKILL');
  assert.equal(describeExit(3, null), 'exit code 3');
});
