import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  createLatencyHistogram,
  encodeHistogram,
  HIGHEST_US,
  initHistograms,
  mergeEncodedToEncoded,
  recordLatency,
  summarize,
  summarizeEncoded,
} from '../../src/stats/histogram.js';

before(() => initHistograms());

test('merging encoded per-worker histograms equals recording everything in one', () => {
  const all = createLatencyHistogram();
  const parts = [createLatencyHistogram(), createLatencyHistogram(), createLatencyHistogram()];
  let seed = 7;
  for (let i = 0; i < 30_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const value = 10 + (seed % 100_000);
    recordLatency(all, value);
    recordLatency(parts[i % 3]!, value);
  }
  const merged = summarizeEncoded(parts.map(encodeHistogram));
  assert.deepEqual(merged, summarize(all));
  assert.equal(merged.count, 30_000);
  assert.deepEqual(summarizeEncoded([mergeEncodedToEncoded(parts.map(encodeHistogram))]), merged);
  for (const h of [all, ...parts]) h.destroy();
});

test('percentiles are within 3 significant digits; out-of-range values are clamped', () => {
  const h = createLatencyHistogram();
  for (let v = 1; v <= 1000; v++) recordLatency(h, v);
  recordLatency(h, HIGHEST_US * 10);
  recordLatency(h, -3);
  const s = summarize(h);
  assert.equal(s.count, 1002);
  assert.ok(Math.abs(s.p50 - 500) <= 1, `p50 ${s.p50}`);
  assert.ok(Math.abs(s.max - HIGHEST_US) / HIGHEST_US < 0.001, `max ${s.max}`);
  h.destroy();
});

test('an empty histogram summarises to zeros', () => {
  const h = createLatencyHistogram();
  assert.equal(summarizeEncoded([encodeHistogram(h)]).count, 0);
  h.destroy();
});
