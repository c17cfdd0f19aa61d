import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIN_MEMORY_POINTS, memoryGrowthWarning, summarizeGeneratorMemory } from '../../src/stats/generator-memory.js';
import type { TimeSeriesPoint } from '../../src/types.js';

/** A time series with these RSS values (MiB), one per second; the first `warmup` seconds are warm-up. */
function series(rss: (number | undefined)[], warmup = 0): TimeSeriesPoint[] {
  return rss.map((rssMiB, i) => ({
    second: i + 1,
    warmup: i < warmup,
    msgsPerS: 1000,
    p50Us: 100,
    p99Us: 200,
    errors: 0,
    ...(rssMiB === undefined ? {} : { rssMiB, heapUsedMiB: rssMiB / 4, workerHeapUsedMiB: rssMiB / 2 }),
  }));
}

describe('summarizeGeneratorMemory', () => {
  test('peak and the means of the first and last quarter of the measured seconds', () => {
    const memory = summarizeGeneratorMemory(series([500, 100, 100, 110, 120, 130, 140, 150, 160], 1));
    assert.deepEqual(memory, { peakRssMiB: 160, firstQuarterRssMiB: 100, lastQuarterRssMiB: 155, peakHeapUsedMiB: 40, peakWorkerHeapUsedMiB: 80 });
  });

  test('seconds after the window (the drain) are left out', () => {
    const memory = summarizeGeneratorMemory(series([100, 100, 100, 100, 900, 900]), 4);
    assert.equal(memory?.peakRssMiB, 100);
    assert.equal(memoryGrowthWarning(series([100, 100, 100, 100, 900, 900]), 4), null);
  });

  test('warm-up seconds and seconds without a sample are left out; none at all is null', () => {
    assert.equal(summarizeGeneratorMemory(series([100, 200], 2)), null);
    assert.equal(summarizeGeneratorMemory(series([undefined, undefined])), null);
    assert.equal(summarizeGeneratorMemory(series([undefined, 120]))?.peakRssMiB, 120);
  });
});

describe('memoryGrowthWarning', () => {
  const cases: { name: string; rss: number[]; warmup?: number; warns: RegExp | null }[] = [
    { name: 'flat RSS', rss: [200, 201, 199, 200, 202, 200, 201, 200], warns: null },
    { name: 'growth of exactly 20%', rss: [100, 100, 110, 110, 115, 115, 120, 120], warns: null },
    {
      name: 'growth above 20%',
      rss: [100, 100, 120, 130, 140, 150, 160, 160],
      warns: /^generator RSS grew from 100 MiB to 160 MiB \(\+60%\) during the measured window: a leak\?/,
    },
    { name: 'growth only in the warm-up', rss: [50, 80, 100, 100, 100, 101, 100, 100, 100, 100], warmup: 2, warns: null },
    { name: 'too few measured seconds to tell', rss: [100, 200, 300], warns: null },
    { name: 'shrinking RSS', rss: [300, 280, 260, 240, 220, 200, 180, 160], warns: null },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const warning = memoryGrowthWarning(series(c.rss, c.warmup ?? 0));
      if (c.warns === null) assert.equal(warning, null);
      else assert.match(warning ?? '', c.warns);
    });
  }

  test(`needs ${MIN_MEMORY_POINTS} measured seconds`, () => {
    assert.equal(memoryGrowthWarning(series([100, 100, 100])), null);
    assert.notEqual(memoryGrowthWarning(series([100, 100, 200, 200])), null);
  });
});
