import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { isRetryable, parseBreaker, resolveResilience, RESILIENCE_DEFAULTS } from '../../src/resilience/resilience-config.js';

test('defaults: failed streams stay failed', () => {
  assert.deepEqual(resolveResilience({}), RESILIENCE_DEFAULTS);
  assert.equal(RESILIENCE_DEFAULTS.reconnect, false);
});

test('reconnect settings', () => {
  const r = resolveResilience({ reconnect: true, retryOn: 'unavailable,internal', backoffInitial: '50ms', backoffMax: '2s', maxReconnects: '7', breaker: 'rate:0.5/10s', breakerHalfOpenAfter: '500ms' });
  assert.deepEqual(r, { reconnect: true, retryOn: ['UNAVAILABLE', 'INTERNAL'], backoffInitialMs: 50, backoffMaxMs: 2000, maxReconnects: 7, breaker: { kind: 'rate', threshold: 0.5, windowMs: 10_000 }, breakerHalfOpenAfterMs: 500 });
  assert.deepEqual(parseBreaker('consecutive:5'), { kind: 'consecutive', failures: 5 });
  assert.equal(resolveResilience({ reconnect: true, backoffInitial: '250' }).backoffInitialMs, 250, 'a bare number is ms');
});

test('which statuses are retried', () => {
  const r = resolveResilience({ reconnect: true });
  assert.equal(isRetryable(r, 14, false), true);
  assert.equal(isRetryable(r, 8, false), true);
  assert.equal(isRetryable(r, 10, false), true);
  assert.equal(isRetryable(r, 13, true), true, 'INTERNAL from a broken transport');
  assert.equal(isRetryable(r, 13, false), false, 'INTERNAL the server sent');
  assert.equal(isRetryable(r, 7, false), false);
  assert.equal(isRetryable(resolveResilience({ reconnect: true, retryOn: 'UNAVAILABLE' }), 13, true), false, 'an explicit list is exact');
});

test('bad settings are one clear line', () => {
  const table: [Parameters<typeof resolveResilience>[0], RegExp][] = [
    [{ breaker: 'consecutive:5' }, /^--breaker shape how failed streams are reopened: it needs --reconnect$/],
    [{ backoffMax: '1s', retryOn: 'UNAVAILABLE' }, /^--retry-on, --backoff-max shape how failed streams are reopened: they need --reconnect$/],
    [{ reconnect: true, breaker: 'sometimes' }, /^--breaker must be consecutive:N .* or rate:P\/WINDOW .*, got "sometimes"$/],
    [{ reconnect: true, breaker: 'rate:1.5/10s' }, /^--breaker must be/],
    [{ reconnect: true, retryOn: 'UNAVAILABLE,NOPE' }, /^--retry-on must be a comma-separated list of gRPC status names .*got "NOPE"$/],
    [{ reconnect: true, retryOn: 'OK' }, /^--retry-on must be/],
    [{ reconnect: true, backoffInitial: '2s', backoffMax: '1s' }, /^--backoff-max \(1000 ms\) must be at least --backoff-initial \(2000 ms\)$/],
    [{ reconnect: true, backoffMax: 'soon' }, /^--backoff-max must be a duration from 1 ms to 60 min/],
    [{ reconnect: true, maxReconnects: '0' }, /^--max-reconnects must be an integer from 1 to 1000000, got "0"$/],
    [{ reconnect: true, breakerHalfOpenAfter: '1s' }, /^--breaker-half-open-after needs --breaker$/],
  ];
  for (const [input, message] of table) {
    assert.throws(() => resolveResilience(input), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(input));
  }
});
