import { BenchError } from '../errors.js';
import { describeExit, instancePidLine, listeningLine, relayedLine } from '../fleet/fleet-lines.js';
import { instanceArgs, instanceCpu, instanceStatsPath } from '../fleet/fleet-options.js';
import { startFleet, type FleetInstance } from '../fleet/start-fleet.js';

export interface ServeFleetSettings {
  /** The `serve` arguments as given (every flag passes through to each instance). */
  argv: readonly string[];
  /** Port of each instance (consecutive, or all 0). */
  ports: readonly number[];
  /** --cpus, in order, or null. */
  cpus: readonly number[] | null;
  /** --prometheus port of each instance, or null. */
  prometheusPorts: readonly number[] | null;
  /** --stats path, or undefined. */
  statsPath: string | undefined;
  graceMs: number;
}

/** After the instances' own grace period, how long the parent waits before it kills them. */
const KILL_MARGIN_MS = 5_000;

/**
 * `serve --instances N` (N > 1): starts the instances, prints each one's pid on stderr and its
 * `listening on` line on stdout (instance order), relays their stderr as `[instance i] …`,
 * reports an instance that dies and keeps the others serving. SIGINT/SIGTERM stop all of them
 * (a second signal closes open streams at once); resolves then. Rejects when every instance
 * died on its own.
 */
export async function serveFleet(settings: ServeFleetSettings): Promise<void> {
  const count = settings.ports.length;
  let lost = 0;
  let allLost: (() => void) | undefined;
  const lostAll = new Promise<void>((resolve) => (allLost = resolve));
  const onUnexpectedExit = (instance: FleetInstance, code: number | null, signal: NodeJS.Signals | null): void => {
    lost++;
    process.stderr.write(
      `instance ${instance.index} (${instance.target}, pid ${instance.pid}) exited unexpectedly: ${describeExit(code, signal)}; ${count - lost} of ${count} instances still serving\n`,
    );
    if (lost === count) allLost?.();
  };
  const fleet = await startFleet({
    args: settings.ports.map((port, i) =>
      instanceArgs(settings.argv, {
        port,
        prometheus: settings.prometheusPorts?.[i] ?? null,
        stats: settings.statsPath === undefined ? null : instanceStatsPath(settings.statsPath, i),
      }),
    ),
    cpus: settings.ports.map((_, i) => instanceCpu(settings.cpus, i)),
    onLine: (index, line) => void process.stderr.write(`${relayedLine(index, line)}\n`),
    onUnexpectedExit,
  });

  // Handlers first, then the ready lines: a script may signal the moment it reads them.
  const killAfterMs = Math.max(0, settings.graceMs) + KILL_MARGIN_MS;
  const stopped = new Promise<'stopped'>((resolve) => {
    const stop = (): void => void fleet.stop(killAfterMs).then(() => resolve('stopped'));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  for (const instance of fleet.instances) process.stderr.write(`${instancePidLine(instance.index, instance.pid, instance.target)}\n`);
  process.stdout.write(fleet.instances.map((instance) => `${listeningLine(instance.target)}\n`).join(''));

  const outcome = await Promise.race([stopped, lostAll.then(() => 'lost' as const)]);
  if (outcome === 'lost') throw new BenchError(`all ${count} fleet instances have exited; nothing is serving`);
}
