/**
 * Progress ticks as the workers send them to the main thread, for the live page and Prometheus
 * tests: each carries a real encoded histogram of the latencies the test chooses.
 */
import type { ProgressTick } from '../../src/types.js';
import { encodeValues } from './synthetic-results.js';

/**
 * One worker's tick for one second: `received` and the histogram from `latenciesUs`, no errors or
 * reconnects, 2 open streams, no breaker; `extra` overrides any field (openStreams, breaker, …).
 */
export function tick(workerIndex: number, second: number, latenciesUs: readonly number[], extra: Partial<ProgressTick> = {}): ProgressTick {
  return { type: 'tick', workerIndex, second, received: latenciesUs.length, errors: 0, errorsByCategory: {}, reconnects: 0, openStreams: 2, breaker: null, histogram: encodeValues(latenciesUs), ...extra };
}
