/**
 * The echo server's fault injection at run time: the seeded plan asked in arrival order, the
 * stall clock (timers from server start), the statuses faults end streams with (their
 * `grpc-status-details-bin` bytes encoded once), and the counters. No gRPC here: the echo
 * server asks it what to do and does it.
 */
import { performance } from 'node:perf_hooks';
import { FAULT_DOMAIN, type FaultOptions, type FaultStatus } from './fault-options.js';
import { createFaultPlan, type StallWindow } from './fault-plan.js';
import { createFaultCounters, rejectionKey, snapshotFaultStats, type FaultStats } from './fault-stats.js';
import { encodeRichStatus } from './rich-status.js';

/** How a fault ends a stream: status code, details text and the serialized google.rpc.Status. */
export interface InjectedFailure {
  code: number;
  details: string;
  statusDetails: Buffer;
}

export interface FaultInjector {
  readonly options: FaultOptions;
  /** Whether accepted streams need the per-note fault path (drops, aborts or stalls). */
  readonly perNote: boolean;
  /** A RouteChat stream reached the handler (counted): null to serve it, else how to reject it. */
  admitStream(): InjectedFailure | null;
  /** Whether the next note to arrive is dropped (counted). */
  dropNote(): boolean;
  /** How a stream ends after `options.abort.afterEchoes` echoes (counted); null without --abort-after. */
  abortStream(): InjectedFailure | null;
  /** Whether the server is in a stall now. */
  isStalled(): boolean;
  /** Runs `listener` once, when the current stall ends (at once when there is none). */
  afterStall(listener: () => void): void;
  connectionOpened(): void;
  connectionAgedOut(): void;
  /** Ends the stall clock (a stall in progress ends now, releasing what it held); returns the final stats. */
  stop(): FaultStats;
  stats(): FaultStats;
}

function failure(fault: FaultStatus, details: string, retryDelayMs: number | null): InjectedFailure {
  return { code: fault.code, details, statusDetails: encodeRichStatus(fault.code, details, { reason: fault.reason, domain: FAULT_DOMAIN, retryDelayMs }) };
}

export function createFaultInjector(options: FaultOptions, now: () => number = () => performance.now()): FaultInjector {
  const startedAt = now();
  const elapsed = (): number => now() - startedAt;
  const plan = createFaultPlan({ seed: options.seed, failRate: options.reject?.rate ?? 0, dropRate: options.drop?.rate ?? 0, stall: options.stall });
  const counters = createFaultCounters();
  const { reject, abort } = options;
  const rejection = reject === null ? null : failure(reject, `injected fault: ${reject.reason}`, reject.retryAfterMs);
  const rejectedKey = reject === null ? '' : rejectionKey(reject.status, reject.reason);
  const abortion = abort === null ? null : failure(abort, `injected fault: ${abort.reason} (stream aborted after ${abort.afterEchoes} echoes)`, null);

  let stallTimer: NodeJS.Timeout | undefined;
  let stalledSince: number | null = null;
  let waiting: (() => void)[] = [];
  let stopped = false;

  const endStall = (): void => {
    if (stalledSince === null) return;
    counters.stalledMs += now() - stalledSince;
    stalledSince = null;
    const release = waiting;
    waiting = [];
    for (const listener of release) listener();
  };
  const beginStall = (window: StallWindow): void => {
    stalledSince = now();
    counters.stalls++;
    stallTimer = setTimeout(() => {
      endStall();
      scheduleStall(plan.stallWindow(window.index + 1));
    }, Math.max(0, window.endMs - elapsed()));
    stallTimer.unref();
  };
  const scheduleStall = (window: StallWindow | null): void => {
    if (window === null || stopped) return;
    stallTimer = setTimeout(() => beginStall(window), Math.max(0, window.startMs - elapsed()));
    stallTimer.unref();
  };
  scheduleStall(plan.nextStall(0));

  const stats = (): FaultStats => snapshotFaultStats(counters, options, elapsed());
  return {
    options,
    perNote: abort !== null || (options.drop?.rate ?? 0) > 0 || options.stall !== null,
    admitStream: () => {
      counters.streams++;
      if (rejection === null || !plan.rejectNextStream()) return null;
      counters.rejected.set(rejectedKey, (counters.rejected.get(rejectedKey) ?? 0) + 1);
      return rejection;
    },
    dropNote: () => {
      const drop = plan.dropNextNote();
      if (drop) counters.notesDropped++;
      return drop;
    },
    abortStream: () => {
      if (abortion !== null) counters.aborted++;
      return abortion;
    },
    isStalled: () => stalledSince !== null,
    afterStall: (listener) => {
      if (stalledSince === null) listener();
      else waiting.push(listener);
    },
    connectionOpened: () => void counters.connections++,
    connectionAgedOut: () => void counters.connectionsAgedOut++,
    stop: () => {
      stopped = true;
      clearTimeout(stallTimer);
      endStall();
      return stats();
    },
    stats,
  };
}
