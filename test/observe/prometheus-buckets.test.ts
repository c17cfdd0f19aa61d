import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Registry } from 'prom-client';
import { formatBound, registerExactHistogram } from '../../src/observe/prometheus/exact-histogram.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { countAtOrBelow, initHistograms } from '../../src/stats/histogram.js';
import { encodeValues } from '../helpers/synthetic-results.js';

before(() => initHistograms());

test('countAtOrBelow: cumulative counts at each bound, read from the buckets', () => {
  const cases: { name: string; values: number[]; bounds: number[]; atOrBelow: number[]; total: number; sumUs: number }[] = [
    { name: 'empty', values: [], bounds: [50, 100], atOrBelow: [0, 0], total: 0, sumUs: 0 },
    { name: 'a bound counts values equal to it', values: [50, 100], bounds: [50, 100], atOrBelow: [1, 2], total: 2, sumUs: 150 },
    { name: 'one µs above a bound is above it', values: [51, 101], bounds: [50, 100], atOrBelow: [0, 1], total: 2, sumUs: 152 },
    { name: 'values above every bound only count in the total', values: [10, 2000], bounds: [50], atOrBelow: [1], total: 2, sumUs: 2010 },
    { name: 'repeated values', values: [7, 7, 7, 2047], bounds: [7, 2046, 2047], atOrBelow: [3, 3, 4], total: 4, sumUs: 2068 },
    { name: 'no bounds', values: [1, 2], bounds: [], atOrBelow: [], total: 2, sumUs: 3 },
  ];
  for (const c of cases) {
    assert.deepEqual(countAtOrBelow(encodeValues(c.values), c.bounds), { atOrBelow: c.atOrBelow, total: c.total, sumUs: c.sumUs }, c.name);
  }
});

test('countAtOrBelow: above 2048 µs a bound counts its whole HDR bucket (at most 0.1% wide)', () => {
  // 2048–4095 µs: buckets 2 µs wide, so 2500 and 2501 share one; 2502 starts the next.
  assert.deepEqual(countAtOrBelow(encodeValues([2499, 2500, 2501, 2502]), [2499, 2500]).atOrBelow, [1, 3]);
  // 1 s: buckets 512 µs wide; 1 000 000 is inside [999 936, 1 000 447].
  const { atOrBelow } = countAtOrBelow(encodeValues([999_000, 999_935, 999_936, 1_000_447, 1_000_448]), [1_000_000]);
  assert.deepEqual(atOrBelow, [4]);
  // The sum takes each value as its bucket's middle: within 0.1%.
  const { sumUs, total } = countAtOrBelow(encodeValues([20_000_000, 3_000]), [1]);
  assert.equal(total, 2);
  assert.ok(Math.abs(sumUs - 20_003_000) / 20_003_000 < 0.001, String(sumUs));
});

test('formatBound prints le values as plain decimals', () => {
  const cases: [number, string][] = [
    [0.00005, '0.00005'],
    [0.0001, '0.0001'],
    [0.0025, '0.0025'],
    [1, '1'],
    [2.5, '2.5'],
    [10, '10'],
  ];
  for (const [value, text] of cases) assert.equal(formatBound(value), text);
});

test('an exact histogram: cumulative buckets, +Inf, _sum and _count per label set', async () => {
  const registry = new Registry();
  registerExactHistogram(registry, {
    name: 'demo_seconds',
    help: 'A demo.',
    bounds: [0.001, 0.01],
    series: () => [
      { labels: { cell: 'a' }, atOrBelow: [1, 3], total: 4, sum: 0.5 },
      { labels: { cell: 'b' }, atOrBelow: [0, 0], total: 0, sum: 0 },
    ],
  });
  const text = await registry.metrics();
  assert.equal(
    text,
    [
      '# HELP demo_seconds A demo.',
      '# TYPE demo_seconds histogram',
      'demo_seconds_bucket{cell="a",le="0.001"} 1',
      'demo_seconds_bucket{cell="a",le="0.01"} 3',
      'demo_seconds_bucket{cell="a",le="+Inf"} 4',
      'demo_seconds_sum{cell="a"} 0.5',
      'demo_seconds_count{cell="a"} 4',
      'demo_seconds_bucket{cell="b",le="0.001"} 0',
      'demo_seconds_bucket{cell="b",le="0.01"} 0',
      'demo_seconds_bucket{cell="b",le="+Inf"} 0',
      'demo_seconds_sum{cell="b"} 0',
      'demo_seconds_count{cell="b"} 0',
      '',
    ].join('\n'),
  );
  assert.equal(parseExposition(text).types.get('demo_seconds'), 'histogram');
});

test('parseExposition rejects malformed lines, naming them', () => {
  const cases: [string, RegExp][] = [
    ['a 1', /must end with a newline/],
    ['a{b="1"} x\n', /line 1: bad value/],
    ['a{b="1} 1\n', /line 1: /],
    ['a{b="1",b="2"} 1\n', /repeated label/],
    ['# TYPE a widget\n', /unknown type/],
    ['a 1\n# TYPE a counter\n', /line 2: TYPE after samples/],
    ['a{1b="x"} 1\n', /bad label/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseExposition(text), message, JSON.stringify(text));
  const ok = parseExposition('# HELP a x\n# TYPE a counter\na{b="q\\"\\\\\\n"} 1.5e3 1700000000\nb +Inf\n');
  assert.deepEqual(ok.samples, [
    { name: 'a', labels: { b: 'q"\\\n' }, value: 1500 },
    { name: 'b', labels: {}, value: Infinity },
  ]);
});
