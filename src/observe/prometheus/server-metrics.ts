/**
 * The echo server's own Prometheus metrics (`serve --prometheus PORT`). Nothing is counted
 * here: at every scrape the values are read from the counters the server already keeps (the
 * echo handler's integers, the auth tally, the fault injector's stats) and the process's CPU.
 *
 * Labels take values from fixed sets: source (auth, fault), status (UNAUTHENTICATED,
 * PERMISSION_DENIED or the one --fail-status), reason (the auth module's fixed reason texts, or
 * the one --fail-reason), fault (reject, abort, drop, stall, connection_age), mode (user, system).
 */
import { Counter, Registry } from 'prom-client';
import type { EchoCounters } from '../../grpc/echo-server.js';
import type { FaultInjector } from '../../resilience/fault-injector.js';
import type { AuthCounts } from '../../security/auth-tally.js';
import { METRIC_PREFIX } from './run-metrics.js';

export interface ServerMetricsSources {
  counters: EchoCounters;
  /** With JWT auth: the tally of decisions, and the status each refusal reason was sent with. */
  auth?: { counts: AuthCounts; statusByReason: ReadonlyMap<string, string> };
  faults?: FaultInjector;
}

const name = (suffix: string): string => `${METRIC_PREFIX}server_${suffix}`;

/** A registry whose metrics read `sources` at scrape time. */
export function createServerMetrics(sources: ServerMetricsSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  const { counters, auth, faults } = sources;

  new Counter({
    name: name('streams_accepted_total'),
    help: 'RouteChat streams the echo handler served (after the auth check and injected rejections).',
    registers,
    collect() {
      this.reset();
      this.inc(counters.streams);
    },
  });
  new Counter({
    name: name('echoes_total'),
    help: 'Echoes written.',
    registers,
    collect() {
      this.reset();
      this.inc(counters.echoes);
    },
  });
  new Counter({
    name: name('connections_total'),
    help: 'HTTP/2 connections accepted.',
    registers,
    collect() {
      this.reset();
      this.inc(counters.connections);
    },
  });
  new Counter({
    name: name('rejections_total'),
    help: 'Calls refused before any echo, by source (auth: the JWT check, any method; fault: --fail-rate), status and reason.',
    labelNames: ['source', 'status', 'reason'],
    registers,
    collect() {
      this.reset();
      if (auth !== undefined) {
        for (const [reason, n] of auth.counts.rejected) this.inc({ source: 'auth', status: auth.statusByReason.get(reason) ?? 'UNAUTHENTICATED', reason }, n);
      }
      if (faults !== undefined) {
        for (const r of faults.stats().streams.rejectedBy) this.inc({ source: 'fault', status: r.status, reason: r.reason }, r.count);
      }
    },
  });
  if (auth !== undefined) {
    new Counter({
      name: name('auth_accepted_total'),
      help: 'Calls that passed the JWT check (server reflection included).',
      registers,
      collect() {
        this.reset();
        this.inc(auth.counts.accepted);
      },
    });
  }
  if (faults !== undefined) {
    new Counter({
      name: name('faults_total'),
      help: 'Injected faults: reject (stream refused), abort (stream ended after --abort-after), drop (note never echoed), stall, connection_age (GOAWAY sent).',
      labelNames: ['fault'],
      registers,
      collect() {
        this.reset();
        const stats = faults.stats();
        this.inc({ fault: 'reject' }, stats.streams.rejected);
        this.inc({ fault: 'abort' }, stats.streams.aborted);
        this.inc({ fault: 'drop' }, stats.notes.dropped);
        this.inc({ fault: 'stall' }, stats.stalls.count);
        this.inc({ fault: 'connection_age' }, stats.connections.agedOut);
      },
    });
    new Counter({
      name: name('stalled_seconds_total'),
      help: 'Time spent in injected stalls (whole stalls; one in progress counts when it ends).',
      registers,
      collect() {
        this.reset();
        this.inc(faults.stats().stalls.totalMs / 1000);
      },
    });
  }
  new Counter({
    name: name('cpu_seconds_total'),
    help: "The server process's CPU time, by mode (user, system).",
    labelNames: ['mode'],
    registers,
    collect() {
      this.reset();
      const usage = process.cpuUsage();
      this.inc({ mode: 'user' }, usage.user / 1e6);
      this.inc({ mode: 'system' }, usage.system / 1e6);
    },
  });
  return registry;
}
