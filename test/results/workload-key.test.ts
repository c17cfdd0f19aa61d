import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldValue, varyingLabels, workloadKey } from '../../src/results/workload-key.js';
import type { RunConfig } from '../../src/types.js';
import { baseConfig } from '../helpers/synthetic-results.js';

describe('workloadKey and pacing', () => {
  it('open-loop runs with another pacing are another workload', () => {
    const spin = workloadKey(baseConfig({ rate: 5000, pacing: 'spin' }));
    const timer = workloadKey(baseConfig({ rate: 5000, pacing: 'timer' }));
    assert.notEqual(spin, timer);
    assert.match(spin, /,rate=5000,pacing=spin,size=16,/);
  });
  it('closed-loop runs ignore pacing: no pacing in the key, so files from before it still match', () => {
    const spin = workloadKey(baseConfig({ pacing: 'spin' }));
    assert.equal(spin, workloadKey(baseConfig({ pacing: 'timer' })));
    assert.doesNotMatch(spin, /pacing/);
    // A closed-loop config recorded before pacing existed.
    const old: Partial<RunConfig> = baseConfig();
    delete old.pacing;
    assert.equal(workloadKey(old as RunConfig), spin);
  });
  it('a pacing selector reads the config; omitting pacing pairs spin with timer', () => {
    assert.equal(fieldValue(baseConfig({ rate: 100, pacing: 'timer' }), {}, 'pacing'), 'timer');
    assert.equal(workloadKey(baseConfig({ rate: 100, pacing: 'timer' }), { omit: ['pacing'] }), workloadKey(baseConfig({ rate: 100, pacing: 'spin' }), { omit: ['pacing'] }));
  });
  it('labels name the parts that vary, open- and closed-loop keys together', () => {
    const keys = [workloadKey(baseConfig()), workloadKey(baseConfig({ rate: 100, pacing: 'spin' })), workloadKey(baseConfig({ rate: 100, pacing: 'timer' }))];
    assert.deepEqual(varyingLabels(keys), ['rate=closed', 'rate=100,pacing=spin', 'rate=100,pacing=timer']);
  });
});
