import type { CpuPlacement, RunConfig, RunMetrics } from '../types.js';
import { streamLimitWarning } from './stream-limit.js';

/** Above this event-loop utilisation or CPU share, the generator may be the bottleneck. */
export const SATURATION = 0.9;

export interface DiagnoseInput {
  config: RunConfig;
  metrics: RunMetrics;
  placement: CpuPlacement;
  embeddedServer: boolean;
}

/** Points by which the measured gzip savings of the payloads may differ from the requested compressibility. */
export const COMPRESSIBILITY_TOLERANCE = 10;

/** Mean open-loop send lag (ms) above which spin pacing is judged not to keep up. */
export const SATURATED_LAG_MS = 0.2;

function warnSaturation(metrics: RunMetrics, placement: CpuPlacement, warnings: string[]): void {
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  metrics.generator.workerEventLoopUtilization.forEach((elu, i) => {
    if (elu > SATURATION) {
      warnings.push(`generator saturated: worker ${i} event loop was busy ${pct(elu)} of the run, so the generator, not the server, may be the bottleneck (add --workers, client CPUs or lower the load)`);
    }
  });
  const cpu = metrics.generator.cpuUtilization;
  if (cpu !== null && cpu > SATURATION) {
    warnings.push(`generator saturated: it used ${pct(cpu)} of its CPUs (${placement.clientCpus ?? 'all'}); the figures may measure the generator, not the server`);
  }
}

/** Plain-language warnings about what could make the figures misleading. */
export function diagnoseRun({ config, metrics, placement, embeddedServer }: DiagnoseInput): string[] {
  const warnings: string[] = [];
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const c = metrics.counters;
  if (config.rate !== null && config.pacing === 'spin') {
    // Spin pacing keeps the event loop and the CPU busy by design; whether the generator kept
    // up shows in how late its sends went out.
    const paced = c.sent - c.heldBackSends;
    if (paced > 0 && c.sendLagMsTotal / paced > SATURATED_LAG_MS) {
      warnings.push(`generator saturated: sends went out ${Math.round((1000 * c.sendLagMsTotal) / paced)} µs after their intended time on average; the figures may measure the generator, not the server`);
    }
  } else {
    warnSaturation(metrics, placement, warnings);
  }
  if (config.rate !== null && metrics.durationS > 0) {
    const sentRate = c.sent / metrics.durationS;
    if (sentRate < config.rate * 0.95) {
      warnings.push(`open loop fell behind: sent ${Math.round(sentRate)} msgs/s of the ${config.rate} asked (in-flight cap ${config.inFlight} or backpressure); latency is still measured from the intended send times`);
    }
    const paced = c.sent - c.heldBackSends;
    if (paced > 0 && c.lateSends / paced > 0.01) {
      warnings.push(`${pct(c.lateSends / paced)} of the generator's own sends went out more than 1 ms after their intended time; their latency includes that wait`);
    }
    if (c.sent > 0 && c.heldBackSends / c.sent > 0.01) {
      warnings.push(`${pct(c.heldBackSends / c.sent)} of measured messages were held back by the in-flight cap (${config.inFlight}) or backpressure: the server did not keep up with ${config.rate} msgs/s; their latency counts from the intended send time`);
    }
    if (c.unsent > 0) {
      warnings.push(`${c.unsent} measured messages were never sent, even during the drain: the server fell too far behind the rate (counted as errors)`);
    }
  }
  if (!placement.pinned) warnings.push(`CPU placement not pinned (${placement.note}): on small machines ping-pong latency can change several-fold between runs`);
  const savings = metrics.payload?.gzipSavingsPct;
  if (config.compression !== 'identity' && savings !== undefined && Math.abs(savings - config.compressibility) > COMPRESSIBILITY_TOLERANCE) {
    warnings.push(
      `payloads of ${config.size} B cannot be made ${config.compressibility}% compressible: gzip shrinks them by ${savings}% (printable ASCII saves at least ~13-17%, and gzip's 18-byte framing weighs on small messages)`,
    );
  }
  if (embeddedServer && config.compression !== 'identity') {
    warnings.push(`the grpc-js echo server never compresses its responses: ${config.compression} applies to client → server messages only`);
  }
  if (!embeddedServer && config.window !== null) {
    warnings.push('--window was applied to the client side only; the server keeps its own flow-control window');
  }
  const refused = streamLimitWarning(config, c.refusedStreams ?? 0);
  if (refused !== null) warnings.push(refused);
  if (c.received === 0) warnings.push('no measured echoes: check the server, the warm-up and the duration');
  return warnings;
}
