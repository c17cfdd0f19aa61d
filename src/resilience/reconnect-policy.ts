/**
 * The policies behind --reconnect and --breaker, from cockatiel 3 (4.x needs Node 22):
 * exponential backoff with decorrelated jitter, and a circuit breaker over stream opens.
 */
import { CircuitBreakerPolicy, ConsecutiveBreaker, ExponentialBackoff, SamplingBreaker, circuitBreaker, decorrelatedJitterGenerator, handleAll, type IBackoff, type IBackoffFactory } from 'cockatiel';
import type { ResilienceConfig } from './resilience-config.js';

export type Backoff = IBackoff<unknown>;

export function backoffOf(config: ResilienceConfig): IBackoffFactory<unknown> {
  return new ExponentialBackoff({ initialDelay: config.backoffInitialMs, maxDelay: config.backoffMaxMs, generator: decorrelatedJitterGenerator });
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker over stream opens (null without --breaker); `onState` hears every transition. */
export function breakerOf(config: ResilienceConfig, onState: (state: BreakerState) => void): CircuitBreakerPolicy | null {
  const spec = config.breaker;
  if (spec === null) return null;
  const breaker = spec.kind === 'consecutive' ? new ConsecutiveBreaker(spec.failures) : new SamplingBreaker({ threshold: spec.threshold, duration: spec.windowMs, minimumRps: 1 });
  const policy = circuitBreaker(handleAll, { halfOpenAfter: config.breakerHalfOpenAfterMs, breaker });
  policy.onBreak(() => onState('open'));
  policy.onHalfOpen(() => onState('half-open'));
  policy.onReset(() => onState('closed'));
  return policy;
}
