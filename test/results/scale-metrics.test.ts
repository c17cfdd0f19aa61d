import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { findMetric } from '../../src/results/metric-definitions.js';
import { initHistograms, syntheticRun } from '../helpers/synthetic-results.js';
import type { RunRecord } from '../../src/types.js';

describe('connection and memory metrics (check thresholds, sweep cost table)', () => {
  let run: RunRecord;
  before(async () => {
    await initHistograms();
    run = syntheticRun({ msgsPerS: 1000, latencyUs: 100 });
    run.metrics.counters.connectionsOpened = 42;
    run.metrics.counters.refusedStreams = 3;
    run.metrics.generator.memory = { peakRssMiB: 321.5, firstQuarterRssMiB: 250, lastQuarterRssMiB: 260, peakHeapUsedMiB: 20, peakWorkerHeapUsedMiB: 100 };
  });

  const cases: [string, number][] = [
    ['connections', 42],
    ['connections_opened', 42],
    ['refused_streams', 3],
    ['refused', 3],
    ['rss_mib', 321.5],
    ['peak_rss_mib', 321.5],
  ];
  for (const [name, expected] of cases) {
    test(`${name} reads the run's figure`, () => {
      assert.equal(findMetric(name)?.of(run), expected);
    });
  }

  test('files written before the figures existed: not measured (RSS, connections) or none refused', () => {
    const old = structuredClone(run);
    delete (old.metrics.counters as Partial<typeof old.metrics.counters>).connectionsOpened;
    delete (old.metrics.counters as Partial<typeof old.metrics.counters>).refusedStreams;
    delete old.metrics.generator.memory;
    assert.ok(Number.isNaN(findMetric('connections')?.of(old)));
    assert.ok(Number.isNaN(findMetric('rss_mib')?.of(old)));
    assert.equal(findMetric('refused_streams')?.of(old), 0);
  });
});
