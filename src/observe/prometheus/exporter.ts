/**
 * The generator's Prometheus exporter for `run` and `sweep`: the run metrics (run-metrics.ts)
 * served at http://HOST:PORT/metrics while the runs go on.
 */
import type { RunObserver } from '../observer.js';
import { serveMetrics } from './metrics-server.js';
import { createRunMetrics } from './run-metrics.js';

export interface PrometheusExporterOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: loopback only. */
  host?: string;
}

/** Starts serving; resolves once listening. close() stops the HTTP server. */
export async function startPrometheusExporter(options: PrometheusExporterOptions): Promise<RunObserver & { url: string }> {
  const metrics = createRunMetrics();
  const server = await serveMetrics(metrics.registry, options);
  return {
    url: server.url,
    runStarted: metrics.runStarted,
    second: metrics.second,
    runFinished: metrics.runFinished,
    sweepProgress: metrics.sweepProgress,
    close: () => server.close(),
  };
}
