import type { Argv } from 'yargs';
import type { ResilienceOptions, Unchecked } from '../config/run-options.js';

/** What happens to failed streams: run, sweep and check. */
export interface ResilienceFlags {
  reconnect: boolean;
  'retry-on'?: string;
  'backoff-initial'?: string;
  'backoff-max'?: string;
  'max-reconnects'?: string;
  breaker?: string;
  'breaker-half-open-after'?: string;
}

export function withResilienceFlags<T>(y: Argv<T>): Argv<T & ResilienceFlags> {
  const text = { type: 'string' as const, requiresArg: true };
  return y
    .option('reconnect', { type: 'boolean', default: false, describe: 'Reopen a stream that failed with a retryable status after a backoff (default off: failures stay visible)' })
    .option('retry-on', { ...text, describe: 'Statuses worth reopening after, comma-separated [default: UNAVAILABLE,RESOURCE_EXHAUSTED,ABORTED and INTERNAL from a broken transport]' })
    .option('backoff-initial', { ...text, describe: 'First reconnect backoff (100ms, 1s) [default: 100ms]' })
    .option('backoff-max', { ...text, describe: 'Largest reconnect backoff; exponential with decorrelated jitter in between [default: 5s]' })
    .option('max-reconnects', { ...text, describe: 'Reopen attempts per stream over the run [default: 1000]' })
    .option('breaker', { ...text, describe: 'Circuit breaker over reopen attempts: consecutive:N, or rate:P/WINDOW (e.g. rate:0.5/10s)' })
    .option('breaker-half-open-after', { ...text, describe: 'How long an open breaker waits before one trial stream [default: 1s]' }) as Argv<T & ResilienceFlags>;
}

/** The resilience flags as API options (camelCase), unchecked. */
export function resilienceOptionsFromFlags(f: ResilienceFlags): Unchecked<ResilienceOptions> {
  return {
    reconnect: f.reconnect,
    retryOn: f['retry-on'],
    backoffInitial: f['backoff-initial'],
    backoffMax: f['backoff-max'],
    maxReconnects: f['max-reconnects'],
    breaker: f.breaker,
    breakerHalfOpenAfter: f['breaker-half-open-after'],
  };
}
