/**
 * Threshold expressions, parsed before anything runs (k6-style: a failure quotes the
 * expression as written).
 *
 *   absolute   METRIC OP VALUE     p99 < 5ms · msgs_per_s > 50000 · errors == 0
 *   relative   METRIC regress < N% msgs_per_s regress < 10% · p99 regress < 15%
 */
import { ConfigError } from '../errors.js';
import { findMetric, metricNames, type MetricDefinition } from '../results/metric-definitions.js';

export const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Comparator = (typeof COMPARATORS)[number];

export interface AbsoluteThreshold {
  kind: 'absolute';
  /** As the user wrote it. */
  text: string;
  metric: MetricDefinition;
  op: Comparator;
  /** In the metric's unit (µs for latency). */
  limit: number;
}

export interface RelativeThreshold {
  kind: 'relative';
  text: string;
  metric: MetricDefinition;
  op: '<' | '<=';
  /** Largest allowed regression in %: a throughput decrease, a latency or error increase. */
  maxRegressPct: number;
}

export type Threshold = AbsoluteThreshold | RelativeThreshold;

export const THRESHOLD_GRAMMAR =
  'allowed: "METRIC OP VALUE" with OP one of <, <=, >, >=, ==, != (e.g. "p99 < 5ms", "msgs_per_s > 50000", "errors == 0"), ' +
  `or "METRIC regress < N%" (e.g. "p99 regress < 15%"); metrics: ${metricNames()}; latency units: us, µs, ms, s`;

const LATENCY_UNITS: Record<string, number> = { us: 1, µs: 1, μs: 1, ms: 1000, s: 1_000_000 };

function invalid(text: string, reason: string): ConfigError {
  return new ConfigError(`invalid threshold "${text}": ${reason}; ${THRESHOLD_GRAMMAR}`);
}

/** "p(99.9)" (k6 style) → "p99_9". */
function normalizeMetricName(name: string): string {
  const k6 = /^p\(\s*([\d.]+)\s*\)$/i.exec(name);
  return k6 ? `p${(k6[1] as string).replace('.', '_')}` : name;
}

export function parseThreshold(text: string): Threshold {
  const expr = text.trim();
  if (expr === '') throw invalid(text, 'it is empty');
  const head = /^(p\(\s*[\d.]+\s*\)|[A-Za-z_][\w./]*)\s*(.*)$/.exec(expr);
  if (!head) throw invalid(text, 'it must start with a metric name');
  const metricText = head[1] as string;
  const metric = findMetric(normalizeMetricName(metricText));
  if (!metric) throw invalid(text, `unknown metric "${metricText}"`);
  const rest = (head[2] as string).trim();

  const relative = /^regress(?:ion)?\b\s*(.*)$/i.exec(rest);
  if (relative) {
    const body = (relative[1] as string).trim();
    const match = /^(<=|>=|==|!=|<|>)?\s*(\S*?)\s*(%?)$/.exec(body);
    const op = match?.[1];
    if (!op) throw invalid(text, 'regress needs "<" and a percentage, e.g. "' + metric.name + ' regress < 10%"');
    if (op !== '<' && op !== '<=') throw invalid(text, `regress takes < or <= (a limit on how much worse ${metric.name} may get), not ${op}`);
    const number = match?.[2] ?? '';
    if (match?.[3] !== '%' || !/^\d+(\.\d+)?$/.test(number)) throw invalid(text, `regress needs a percentage such as 10%, got "${body.replace(/^(<=|<)\s*/, '')}"`);
    const pct = Number(number);
    if (!(pct > 0 && pct <= 1000)) throw invalid(text, `the regression limit must be more than 0% and at most 1000%, got ${number}%`);
    return { kind: 'relative', text: expr, metric, op, maxRegressPct: pct };
  }

  const absolute = /^(<=|>=|==|!=|<|>|=)\s*(.*)$/.exec(rest);
  if (!absolute) throw invalid(text, rest === '' ? `missing a comparison after ${metricText}` : `expected an operator or "regress" after ${metricText}, got "${rest}"`);
  if (absolute[1] === '=') throw invalid(text, 'use == for equality');
  const op = absolute[1] as Comparator;
  const valueText = (absolute[2] as string).trim();
  if (valueText === '') throw invalid(text, `missing a value after ${op}`);
  const value = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([A-Za-zµμ%/]*)$/i.exec(valueText);
  if (!value) throw invalid(text, `"${valueText}" is not a number${metric.unit === 'µs' ? ' with a unit' : ''}`);
  const number = Number(value[1]);
  const unit = value[2] as string;
  if (metric.unit === 'µs') {
    if (unit === '') throw invalid(text, `${metric.name} is a latency: give a unit (us, µs, ms or s), e.g. "${metric.name} ${op} ${valueText}ms"`);
    const scale = LATENCY_UNITS[unit.toLowerCase() === 'us' ? 'us' : unit];
    if (scale === undefined) throw invalid(text, `unknown latency unit "${unit}"`);
    return { kind: 'absolute', text: expr, metric, op, limit: number * scale };
  }
  if (metric.unit === '%') {
    if (unit !== '' && unit !== '%') throw invalid(text, `${metric.name} is a percentage: give a number with or without %, e.g. "${metric.name} ${op} 10%"`);
    return { kind: 'absolute', text: expr, metric, op, limit: number };
  }
  if (unit !== '') {
    const expected = metric.unit === 'count' ? 'a plain count' : `a plain number in ${metric.unit}`;
    throw invalid(text, `${metric.name} takes ${expected}, without "${unit}"`);
  }
  if (metric.unit === 'count' && !Number.isInteger(number)) throw invalid(text, `${metric.name} is a count: give a whole number`);
  return { kind: 'absolute', text: expr, metric, op, limit: number };
}

/** Parses every expression; the first bad one throws. */
export function parseThresholds(texts: readonly string[]): Threshold[] {
  return texts.map(parseThreshold);
}

export function compareWith(value: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}
