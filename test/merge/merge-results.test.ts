import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { mergeResults } from '../../src/merge/merge-results.js';
import { createLatencyHistogram, initHistograms, recordLatency, summarize, summarizeEncoded } from '../../src/stats/histogram.js';
import type { ResultsFile, RunResultsFile, SweepResultsFile } from '../../src/types.js';
import { shardRunFile, shardSweepFile, T0, type ShardRunOptions } from '../helpers/shard-results.js';

before(initHistograms);

const load = (...files: ResultsFile[]) => files.map((file, i) => ({ source: `shard-${i + 1}.json`, file }));
const values = (from: number, n: number, step: number): number[] => Array.from({ length: n }, (_, i) => from + i * step);

/** The latencies (µs) shard `index` of three() records (unless an override replaces them). */
const shardValues = (index: number): number[] => values(50 * index, 400 + index * 37, 7 + index);

/** Shards 1–3 of one run, shard `index` built from shardValues(index). */
function three(overrides: (index: number) => Partial<ShardRunOptions> = () => ({})): RunResultsFile[] {
  return [1, 2, 3].map((index) => shardRunFile({ index, count: 3, values: shardValues(index), ...overrides(index) }));
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error: unknown) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail('merge did not refuse');
}

describe('merge of run shards', () => {
  it('adds histograms exactly: count = sum, percentiles = those of one histogram of all values', () => {
    const files = three();
    const { file } = mergeResults(load(...files));
    assert.equal(file.kind, 'run');
    const run = (file as RunResultsFile).run;
    const all = createLatencyHistogram();
    try {
      for (const index of [1, 2, 3]) for (const v of shardValues(index)) recordLatency(all, v);
      assert.deepEqual(run.metrics.latencyUs, summarize(all));
    } finally {
      all.destroy();
    }
    assert.equal(run.metrics.latencyUs.count, files.reduce((n, f) => n + f.run.metrics.latencyUs.count, 0));
    assert.equal(summarizeEncoded([run.histograms.latencyUs]).count, run.metrics.latencyUs.count);
    assert.equal(run.metrics.setupLatencyUs.count, 6);
    assert.equal(run.metrics.connectLatencyUs.count, 3);
    assert.equal(run.shard, null);
  });

  it('sums counters (including ones it does not list) and errors by status', () => {
    const files = three((index) => ({ errorsByStatus: index === 2 ? { UNAVAILABLE: 2, INTERNAL: 1 } : { UNAVAILABLE: 1 }, extraCounters: { connectionsOpened: index, refusedStreams: 10 * index } }));
    const run = (mergeResults(load(...files)).file as RunResultsFile).run;
    const c = run.metrics.counters as unknown as Record<string, unknown>;
    for (const field of ['sent', 'received', 'receivedInWindow', 'receivedTotal', 'bytesSent', 'streamsOpened']) {
      assert.equal(c[field], files.reduce((n, f) => n + ((f.run.metrics.counters as unknown as Record<string, number>)[field] ?? 0), 0), field);
    }
    assert.equal(c.connectionsOpened, 6);
    assert.equal(c.refusedStreams, 60);
    assert.deepEqual(run.metrics.counters.errorsByStatus, { UNAVAILABLE: 4, INTERNAL: 1 });
    assert.equal(run.metrics.errorsTotal, 5);
    assert.deepEqual(run.metrics.wire && [run.metrics.wire.bytesSent, run.metrics.wire.bytesReceived], [
      files.reduce((n, f) => n + (f.run.metrics.wire?.bytesSent ?? 0), 0),
      files.reduce((n, f) => n + (f.run.metrics.wire?.bytesReceived ?? 0), 0),
    ]);
  });

  it('counts msgs/s over the union of the measured windows and sums generator CPU, listing it per shard', () => {
    // Shard 3 started 200 ms late: the union window is 2.2 s.
    const files = three((index) => ({ startMs: index === 3 ? T0 + 200 : T0, cpuUs: 1000 * index }));
    const { file, warnings } = mergeResults(load(...files));
    const run = (file as RunResultsFile).run;
    const inWindow = files.reduce((n, f) => n + f.run.metrics.counters.receivedInWindow, 0);
    assert.equal(run.metrics.durationS, 2.2);
    assert.equal(run.metrics.msgsPerS, Math.round((inWindow / 2.2) * 100) / 100);
    assert.equal(run.metrics.generator.cpuUs, 6000);
    assert.equal(run.metrics.generator.cpuUsPerMsg, Math.round((6000 / run.metrics.counters.receivedTotal) * 100) / 100);
    assert.equal(run.metrics.generator.cpuUtilization, 0.3);
    assert.deepEqual(run.merged?.shards.map((s) => [s.index, s.host, s.generatorCpuUs, s.receivedInWindow]), files.map((f, i) => [i + 1, `host-${i + 1}`, 1000 * (i + 1), f.run.metrics.counters.receivedInWindow]));
    assert.equal(run.merged?.maxStartSkewMs, 200);
    assert.equal(run.merged?.partial, false);
    assert.deepEqual(run.merged?.missing, []);
    assert.match(warnings.join('\n'), /shards started up to 200 ms apart \(more than 50 ms\): are the hosts' clocks NTP-synchronised\?/);
  });

  it("keeps the generator memory of the shard whose process peaked highest (RSS of several hosts does not add up)", () => {
    const files = three();
    files.forEach((f, i) => {
      f.run.metrics.generator.memory = { peakRssMiB: [300, 420, 350][i] as number, firstQuarterRssMiB: 200 + i, lastQuarterRssMiB: 210 + i, peakHeapUsedMiB: 30, peakWorkerHeapUsedMiB: 150 + i };
    });
    const run = (mergeResults(load(...files)).file as RunResultsFile).run;
    assert.deepEqual(run.metrics.generator.memory, files[1]?.run.metrics.generator.memory);
    const without = three();
    for (const f of without) delete f.run.metrics.generator.memory;
    assert.equal((mergeResults(load(...without)).file as RunResultsFile).run.metrics.generator.memory, undefined, 'older files: none');
  });

  it('does not warn about start skew of 50 ms or less', () => {
    const { warnings } = mergeResults(load(...three((index) => ({ startMs: T0 + index * 20 }))));
    assert.deepEqual(warnings, []);
  });

  it('aligns the time series by wall-clock second and sums each second', () => {
    // Shard 2 started one second after the others: its second 1 is the merged second 2.
    const run = (mergeResults(load(...three((index) => ({ startMs: index === 2 ? T0 + 1000 : T0 })))).file as RunResultsFile).run;
    assert.equal(run.timeSeriesStartMs, T0);
    assert.deepEqual(
      run.timeSeries.map((p) => [p.second, p.msgsPerS, p.errors, p.p99Us, p.warmup]),
      [
        [1, 400, 4, 60, true],
        [2, 600, 6, 60, true],
        [3, 600, 6, 60, false],
        [4, 200, 2, 40, false],
      ],
    );
    assert.deepEqual(run.timeSeries[1]?.errorsByCategory, { transport: 3 });
  });

  it("prefixes each shard's warnings with the shard", () => {
    const files = three((index) => ({ warnings: index === 2 ? ['generator saturated: worker 0 event loop was busy 95% of the run'] : [] }));
    const run = (mergeResults(load(...files)).file as RunResultsFile).run;
    assert.ok(run.warnings.includes('shard 2/3 (host-2): generator saturated: worker 0 event loop was busy 95% of the run'), run.warnings.join('\n'));
  });

  it('merges per-backend figures by backend key: histograms added, counters summed, msgs/s over the merged window', () => {
    const files = three((index) => ({ backends: [{ backend: 'a', values: values(100, 10 * index, 1) }, ...(index === 3 ? [] : [{ backend: 'b', values: values(300, 20, 2) }])] }));
    const run = (mergeResults(load(...files)).file as RunResultsFile).run;
    const backends = (run.metrics as unknown as { backends: { backend: string; received: number; msgsPerS: number; latencyUs: { count: number }; errorsByStatus: Record<string, number> }[] }).backends;
    const a = backends.find((b) => b.backend === 'a');
    const b = backends.find((x) => x.backend === 'b');
    assert.equal(a?.received, 60);
    assert.equal(a?.latencyUs.count, 60);
    assert.equal(a?.msgsPerS, 30); // 60 echoes over the 2 s window
    assert.deepEqual(a?.errorsByStatus, { UNAVAILABLE: 3 });
    assert.equal(b?.received, 40);
    const histograms = (run.histograms as unknown as { backendsUs: Record<string, string> }).backendsUs;
    assert.equal(summarizeEncoded([histograms.b as string]).count, 40);
  });

  it('leaves per-backend figures out when no shard has them', () => {
    const run = (mergeResults(load(...three())).file as RunResultsFile).run;
    assert.equal('backends' in run.metrics, false);
    assert.equal('backendsUs' in run.histograms, false);
  });
});

describe('merge refuses', () => {
  it('a file that is not a shard', () => {
    const plain = shardRunFile({ index: 1, count: 3, values: [1] });
    plain.run.shard = null;
    assert.equal(refusal(() => mergeResults(load(...three().slice(0, 2), plain))), 'shard-3.json is not a shard results file (it has no shard stamp): merge takes the files written by run or sweep --shard K/N --run-id ID');
  });

  it('a merged file given as a shard', () => {
    const merged = mergeResults(load(...three())).file;
    assert.equal(refusal(() => mergeResults(load(merged))), 'shard-1.json is already a merged file (of 3 shards), not a shard: merge the shard files themselves');
  });

  it('a mix of run and sweep files', () => {
    const sweep = shardSweepFile({ index: 2, count: 2, sizes: [16], repeat: 1, values: () => [10] });
    assert.equal(refusal(() => mergeResults(load(three()[0] as RunResultsFile, sweep))), 'cannot merge run and sweep files together: shard-1.json is a run file, shard-2.json a sweep file');
  });

  it('files of different run ids', () => {
    const files = three((index) => ({ runId: index === 3 ? 'run-43' : 'run-42' }));
    assert.equal(refusal(() => mergeResults(load(...files))), 'shard-3.json belongs to run id "run-43" but shard-1.json to run id "run-42": only the shards of one run can be merged');
  });

  it('files of different shard counts', () => {
    const files = [shardRunFile({ index: 1, count: 3, values: [1] }), shardRunFile({ index: 2, count: 4, values: [1] })];
    assert.equal(refusal(() => mergeResults(load(...files))), 'shard-2.json is shard 2/4 but shard-1.json is shard 1/3: the shard count N must be the same in every file');
  });

  it('different configurations, naming the field', () => {
    const files = three((index) => ({ config: { rate: index === 2 ? 2000 : 3000 } }));
    assert.equal(refusal(() => mergeResults(load(...files))), 'shard-2.json has a different configuration from shard-1.json: run.config.rate is 2000 there and 3000 in shard-1.json');
  });

  it('a shard given twice', () => {
    const [a, b] = three();
    const again = shardRunFile({ index: 2, count: 3, values: [5] });
    assert.equal(refusal(() => mergeResults(load(a as RunResultsFile, b as RunResultsFile, again))), 'shard 2/3 of run "run-42" is given twice: shard-2.json and shard-3.json');
  });

  it('a missing shard without --allow-missing', () => {
    assert.equal(
      refusal(() => mergeResults(load(...three().slice(0, 2)))),
      'shard 3 of 3 of run "run-42" is missing (given: 1, 2); pass --allow-missing to merge the others into a partial result',
    );
    assert.equal(
      refusal(() => mergeResults(load(three()[1] as RunResultsFile))),
      'shards 1, 3 of 3 of run "run-42" are missing (given: 2); pass --allow-missing to merge the others into a partial result',
    );
  });

  it('a malformed shard stamp, naming the field', () => {
    const bad = shardRunFile({ index: 1, count: 3, values: [1] });
    (bad.run.shard as unknown as Record<string, unknown>).index = 4;
    assert.equal(refusal(() => mergeResults(load(bad))), 'shard-1.json: run.shard.index must be an integer from 1 to 3, got 4');
  });
});

describe('merge --allow-missing', () => {
  it('merges the shards given and marks the result partial, naming the missing shard', () => {
    const files = three().slice(0, 2);
    const { file, warnings } = mergeResults(load(...files), { allowMissing: true });
    const run = (file as RunResultsFile).run;
    assert.equal(run.merged?.partial, true);
    assert.deepEqual(run.merged?.missing, [3]);
    assert.equal(run.metrics.latencyUs.count, files.reduce((n, f) => n + f.run.metrics.latencyUs.count, 0));
    assert.match(warnings[0] ?? '', /^partial: shard 3 of 3 missing/);
    assert.ok(run.warnings.some((w) => w.startsWith('partial: shard 3 of 3 missing')));
  });
});

describe('merge of sweep shards', () => {
  const valuesOfCell = (offset: number) => (cell: number, repetition: number) => values(100 + 50 * cell + offset, 50 + repetition, 3);

  it('merges each repetition across shards and aggregates the cells from the merged runs', () => {
    const files = [1, 2].map((index) => shardSweepFile({ index, count: 2, sizes: [16, 1024], repeat: 2, values: valuesOfCell(index * 10) }));
    const { file, warnings } = mergeResults(load(...files));
    const sweep = file as SweepResultsFile;
    assert.deepEqual(warnings, []);
    assert.equal(sweep.repetitions.length, 4);
    for (const rep of sweep.repetitions) {
      const parts = files.map((f) => f.repetitions.find((r) => r.cellId === rep.cellId && r.repetition === rep.repetition)?.run?.metrics.latencyUs.count ?? 0);
      assert.equal(rep.status, 'completed');
      assert.equal(rep.run?.metrics.latencyUs.count, parts[0]! + parts[1]!);
      assert.equal(rep.run?.merged?.count, 2);
    }
    const cell = sweep.aggregates.find((a) => a.cellId === 'size=1024');
    assert.equal(cell?.repetitions, 2);
    assert.equal(cell?.latencyUs.count, sweep.repetitions.filter((r) => r.cellId === 'size=1024').reduce((n, r) => n + (r.run?.metrics.latencyUs.count ?? 0), 0));
    assert.equal(sweep.merged?.runId, 'run-42');
  });

  it('reports a repetition missing on a shard or late instead of merging it', () => {
    const files = [
      shardSweepFile({ index: 1, count: 2, sizes: [16, 1024], repeat: 2, values: valuesOfCell(0) }),
      shardSweepFile({ index: 2, count: 2, sizes: [16, 1024], repeat: 2, values: valuesOfCell(5), skip: ['size=16#1'], late: ['size=1024#0'] }),
    ];
    const { file, warnings } = mergeResults(load(...files));
    const sweep = file as SweepResultsFile;
    assert.deepEqual(warnings, [
      'cell size=16 repetition 1 not merged: missing on shard 2/2 (shard-2.json)',
      'cell size=1024 repetition 0 not merged: late on shard 2/2 by 800 ms (it did not run in its time slot)',
    ]);
    const statuses = sweep.repetitions.map((r) => `${r.cellId}#${r.repetition}:${r.status}`);
    assert.deepEqual(statuses.sort(), ['size=1024#0:errored', 'size=1024#1:completed', 'size=16#0:completed', 'size=16#1:errored']);
    assert.deepEqual(sweep.aggregates.map((a) => [a.cellId, a.repetitions]), [
      ['size=16', 1],
      ['size=1024', 1],
    ]);
  });

  it('refuses sweeps of different plans, naming the field', () => {
    const files = [
      shardSweepFile({ index: 1, count: 2, sizes: [16, 1024], repeat: 2, values: valuesOfCell(0) }),
      shardSweepFile({ index: 2, count: 2, sizes: [16, 1024], repeat: 3, values: valuesOfCell(0) }),
    ];
    assert.equal(refusal(() => mergeResults(load(...files))), 'shard-2.json has a different configuration from shard-1.json: sweep.repeat is 3 there and 2 in shard-1.json');
  });
});
