import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseThreshold, parseThresholds } from '../../src/check/parse-threshold.js';

describe('parseThreshold: valid forms', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['p99 < 5ms', { kind: 'absolute', metric: 'p99', op: '<', limit: 5000 }],
    ['p50<=250us', { kind: 'absolute', metric: 'p50', op: '<=', limit: 250 }],
    ['p90 < 300µs', { kind: 'absolute', metric: 'p90', op: '<', limit: 300 }],
    ['max < 1.5s', { kind: 'absolute', metric: 'max', op: '<', limit: 1_500_000 }],
    ['p99_9 < 20ms', { kind: 'absolute', metric: 'p99_9', op: '<', limit: 20_000 }],
    ['p999 < 20ms', { kind: 'absolute', metric: 'p99_9', op: '<', limit: 20_000 }],
    ['p(99.9) < 20ms', { kind: 'absolute', metric: 'p99_9', op: '<', limit: 20_000 }],
    ['p99_99 < 40ms', { kind: 'absolute', metric: 'p99_99', op: '<', limit: 40_000 }],
    ['msgs_per_s > 50000', { kind: 'absolute', metric: 'msgs_per_s', op: '>', limit: 50_000 }],
    ['mib_per_s >= 12.5', { kind: 'absolute', metric: 'mib_per_s', op: '>=', limit: 12.5 }],
    ['errors == 0', { kind: 'absolute', metric: 'errors', op: '==', limit: 0 }],
    ['errors != 3', { kind: 'absolute', metric: 'errors', op: '!=', limit: 3 }],
    ['msgs_per_s regress < 10%', { kind: 'relative', metric: 'msgs_per_s', op: '<', maxRegressPct: 10 }],
    ['p99 regress < 15%', { kind: 'relative', metric: 'p99', op: '<', maxRegressPct: 15 }],
    ['  p99   regress <= 2.5%  ', { kind: 'relative', metric: 'p99', op: '<=', maxRegressPct: 2.5 }],
  ];
  for (const [text, expected] of cases) {
    it(text.trim(), () => {
      const t = parseThreshold(text);
      const { metric, ...rest } = t;
      assert.equal(metric.name, expected.metric);
      for (const [k, v] of Object.entries(expected)) if (k !== 'metric') assert.equal((rest as Record<string, unknown>)[k], v, k);
      assert.equal(t.text, text.trim());
    });
  }
});

describe('parseThreshold: errors quote the expression and say what is allowed', () => {
  const cases: [string, RegExp][] = [
    ['', /invalid threshold "": it is empty/],
    ['foo < 3', /invalid threshold "foo < 3": unknown metric "foo"/],
    ['p95 < 3ms', /unknown metric "p95"/],
    ['p99 < 5', /p99 is a latency: give a unit \(us, µs, ms or s\), e\.g\. "p99 < 5ms"/],
    ['p99 < 5parsecs', /unknown latency unit "parsecs"/],
    ['msgs_per_s > 5ms', /msgs_per_s takes a plain number in msgs\/s, without "ms"/],
    ['errors == 0.5', /errors is a count: give a whole number/],
    ['errors = 0', /use == for equality/],
    ['p99', /missing a comparison after p99/],
    ['p99 < ', /missing a value after </],
    ['p99 ~ 5ms', /expected an operator or "regress" after p99, got "~ 5ms"/],
    ['p99 < fast', /"fast" is not a number with a unit/],
    ['p99 regress 10%', /regress needs "<" and a percentage/],
    ['p99 regress > 10%', /regress takes < or <= \(a limit on how much worse p99 may get\), not >/],
    ['p99 regress < 10', /regress needs a percentage such as 10%, got "10"/],
    ['p99 regress < 0%', /the regression limit must be more than 0% and at most 1000%, got 0%/],
    ['< 5ms', /it must start with a metric name/],
  ];
  for (const [text, pattern] of cases) {
    it(JSON.stringify(text), () => {
      assert.throws(
        () => parseThreshold(text),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.exitCode, 2);
          assert.match(error.message, pattern);
          assert.match(error.message, /allowed: "METRIC OP VALUE"/);
          assert.match(error.message, /metrics: msgs_per_s, mib_per_s, p50/);
          return true;
        },
      );
    });
  }
  it('parseThresholds stops at the first bad expression', () => {
    assert.throws(() => parseThresholds(['p99 < 5ms', 'bogus > 1', 'p50 < 1']), /"bogus > 1"/);
  });
});
