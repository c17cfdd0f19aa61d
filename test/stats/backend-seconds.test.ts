import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BackendTable } from '../../src/load/backend-stats.js';
import { boundBackendCounts, MAX_SECOND_BACKENDS, mergeBackendSeconds, OTHER_BACKENDS } from '../../src/stats/backend-seconds.js';
import { initHistograms } from '../../src/stats/histogram.js';
import type { BackendSecond } from '../../src/types.js';

before(() => initHistograms());

const name = (i: number): string => `127.0.0.1:${String(50000 + i)}`;

test('boundBackendCounts: sorted by backend; beyond the bound the first by name stay, the rest are summed as "other"', () => {
  const cases: [string, [string, number][], number, BackendSecond[]][] = [
    ['empty', [], 4, []],
    ['sorted, under the bound', [['b:2', 5], ['a:1', 3]], 4, [{ backend: 'a:1', received: 3 }, { backend: 'b:2', received: 5 }]],
    ['exactly the bound: no "other"', [['d', 4], ['c', 3], ['b', 2], ['a', 1]], 4, ['a', 'b', 'c', 'd'].map((b, i) => ({ backend: b, received: i + 1 }))],
    ['one over: 3 named + other', [['e', 5], ['d', 4], ['c', 3], ['b', 2], ['a', 1]], 4, [{ backend: 'a', received: 1 }, { backend: 'b', received: 2 }, { backend: 'c', received: 3 }, { backend: OTHER_BACKENDS, received: 9 }]],
    ['an "other" in the input joins the overflow', [['a', 1], [OTHER_BACKENDS, 7]], 4, [{ backend: 'a', received: 1 }, { backend: OTHER_BACKENDS, received: 7 }]],
    ['"other" in the input takes a place', [['a', 1], ['b', 1], ['c', 1], ['d', 1], [OTHER_BACKENDS, 2]], 4, [{ backend: 'a', received: 1 }, { backend: 'b', received: 1 }, { backend: 'c', received: 1 }, { backend: OTHER_BACKENDS, received: 3 }]],
    ['a backend twice is summed', [['a', 1], ['a', 2]], 4, [{ backend: 'a', received: 3 }]],
    ['zero counts are kept (a backend seen, silent this second)', [['a', 0], ['b', 9]], 4, [{ backend: 'a', received: 0 }, { backend: 'b', received: 9 }]],
  ];
  for (const [label, counts, max, expected] of cases) assert.deepEqual(boundBackendCounts(counts, max), expected, label);
});

test('mergeBackendSeconds: workers summed by backend, bounded again (at most MAX_SECOND_BACKENDS entries)', () => {
  const w0: BackendSecond[] = [{ backend: 'a:1', received: 10 }, { backend: 'b:2', received: 0 }];
  const w1: BackendSecond[] = [{ backend: 'a:1', received: 5 }, { backend: 'c:3', received: 7 }];
  assert.deepEqual(mergeBackendSeconds([w0, undefined, w1]), [
    { backend: 'a:1', received: 15 },
    { backend: 'b:2', received: 0 },
    { backend: 'c:3', received: 7 },
  ]);
  // Two workers with 40 different backends each: 80 → 63 named + "other", no echo lost.
  const many = (from: number): BackendSecond[] => Array.from({ length: 40 }, (_, i) => ({ backend: name(from + i), received: 1 }));
  const merged = mergeBackendSeconds([many(0), many(40)]);
  assert.equal(merged.length, MAX_SECOND_BACKENDS);
  assert.equal(merged[MAX_SECOND_BACKENDS - 1]?.backend, OTHER_BACKENDS);
  assert.equal(merged[MAX_SECOND_BACKENDS - 1]?.received, 80 - (MAX_SECOND_BACKENDS - 1));
  assert.equal(merged.reduce((a, b) => a + b.received, 0), 80);
  assert.deepEqual(merged.slice(0, 3).map((b) => b.backend), [name(0), name(1), name(2)]);
});

test("BackendTable.takeInterval: each backend's echoes of the second, restarted every second; bounded", () => {
  const table = new BackendTable();
  try {
    assert.deepEqual(table.takeInterval(), [], 'no backend seen yet');
    const a = table.of('a:1');
    const b = table.of('b:2');
    for (let i = 0; i < 3; i++) a.recordEcho(false, false, 1000); // warm-up echoes count too
    b.recordEcho(true, true, 1000);
    assert.deepEqual(table.takeInterval(), [{ backend: 'a:1', received: 3 }, { backend: 'b:2', received: 1 }]);
    b.recordEcho(true, true, 1000);
    assert.deepEqual(table.takeInterval(), [{ backend: 'a:1', received: 0 }, { backend: 'b:2', received: 1 }]);
    // The run's figures are not touched by the per-second count.
    assert.deepEqual(table.results().map((r) => [r.backend, r.received]), [['a:1', 0], ['b:2', 2]]);
    for (let i = 0; i < 100; i++) table.of(name(i)).recordEcho(false, false, 1000);
    const second = table.takeInterval();
    assert.equal(second.length, MAX_SECOND_BACKENDS);
    assert.equal(second.reduce((n, s) => n + s.received, 0), 100);
  } finally {
    table.destroy();
  }
});
