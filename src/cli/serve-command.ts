import { accessSync, constants as fsConstants, mkdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkBytes, checkInteger, checkNumber, expandCpuList } from '../config/checks.js';
import { DEFAULT_MAX_MESSAGE_SIZE, MAX_WINDOW, MIN_WINDOW } from '../config/defaults.js';
import { formatTarget, isLoopback } from '../config/target.js';
import { ConfigError, describeError } from '../errors.js';
import { checkFleetCpus, checkInstances, fleetPorts } from '../fleet/fleet-options.js';
import { listeningLine } from '../fleet/fleet-lines.js';
import { createEchoCounters, startEchoServer } from '../grpc/echo-server.js';
import type { MetricsServer } from '../observe/prometheus/metrics-server.js';
import { createFaultInjector } from '../resilience/fault-injector.js';
import { DEFAULT_FAIL_REASON, DEFAULT_FAULT_SEED, injectsFaults, resolveFaultOptions, type FaultFlags } from '../resilience/fault-options.js';
import { renderFaultSummary } from '../resilience/fault-stats.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import type { AuthEvent } from '../security/auth-interceptor.js';
import { countAuthDecision, createAuthCounts, renderAuthSummary } from '../security/auth-tally.js';
import { createRateLimitedLog } from '../security/rate-limited-log.js';
import { DEFAULT_CLOCK_TOLERANCE_S, DEFAULT_ROLES_CLAIM, resolveServerSecurity, type ServeSecurityFlags } from '../security/server-security-options.js';
import { serveFleet } from './serve-fleet.js';

interface ServeArgs extends ServeSecurityFlags, FaultFlags {
  host: string;
  port: string;
  instances?: string;
  cpus?: string;
  'stop-on-stdin-end': boolean;
  window?: string;
  'max-message-size'?: string;
  'delay-ms'?: string;
  'grace-ms'?: string;
  'allow-remote': boolean;
  stats?: string;
  prometheus?: string;
  'prometheus-host': string;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run the RouteChat echo server (replies "Server received: " + message to every note)',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on (loopback unless --allow-remote)' })
      .option('port', { type: 'string', default: '50051', describe: 'Port; 0 picks a free one' })
      .option('instances', { type: 'string', requiresArg: true, group: 'Fleet:', describe: 'Start this many echo-server processes on consecutive ports from --port (free ports with --port 0), each printing its own "listening on" line; every other flag applies to each [default: 1, this process]' })
      .option('cpus', { type: 'string', requiresArg: true, group: 'Fleet:', describe: 'taskset CPU list (0,1 or 0-3): instance i is pinned to the i-th CPU of the list, round robin' })
      .option('stop-on-stdin-end', { type: 'boolean', default: false, hidden: true, describe: 'Stop (as on SIGTERM) when stdin ends: a fleet instance whose parent is gone' })
      .option('window', { type: 'string', requiresArg: true, describe: 'HTTP/2 flow-control window, stream and connection (bytes, e.g. 1MiB)' })
      .option('max-message-size', { type: 'string', requiresArg: true, describe: `Largest message received or sent (bytes) [default: ${DEFAULT_MAX_MESSAGE_SIZE}]` })
      .option('delay-ms', { type: 'string', requiresArg: true, describe: 'Fixed delay before each echo, ms [default: 0]' })
      .option('grace-ms', { type: 'string', requiresArg: true, describe: 'On SIGINT/SIGTERM, how long open streams may finish before they are closed [default: 5000]' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow listening on a non-loopback address' })
      .option('tls-cert', { type: 'string', requiresArg: true, describe: 'TLS: PEM certificate chain (with --tls-key)' })
      .option('tls-key', { type: 'string', requiresArg: true, describe: 'TLS: PEM private key of --tls-cert' })
      .option('tls-client-ca', { type: 'string', requiresArg: true, describe: 'mTLS: require client certificates signed by this PEM CA (needs TLS)' })
      .option('jwt-public-key', { type: 'string', requiresArg: true, describe: 'JWT: verify tokens with this PEM SPKI public key (EC, RSA, Ed25519) or JWKS JSON file' })
      .option('jwt-secret-file', { type: 'string', requiresArg: true, describe: 'JWT: verify HS256 tokens with the bytes of this file (one trailing newline removed; at least 32 bytes)' })
      .option('jwt-issuer', { type: 'string', requiresArg: true, describe: 'JWT: required "iss"' })
      .option('jwt-audience', { type: 'string', requiresArg: true, describe: 'JWT: required "aud"' })
      .option('jwt-algorithms', { type: 'string', requiresArg: true, describe: "JWT: allowed algorithms, comma-separated [default: the key's: ES256 for EC P-256, RS256 for RSA, EdDSA for Ed25519, the JWKS keys' alg, HS256 for a secret]" })
      .option('require-role', { type: 'string', requiresArg: true, describe: 'JWT: refuse tokens without this role (PERMISSION_DENIED)' })
      .option('roles-claim', { type: 'string', requiresArg: true, describe: `JWT: claim holding the roles, an array or a space-separated string [default: ${DEFAULT_ROLES_CLAIM}]` })
      .option('jwt-clock-tolerance', { type: 'string', requiresArg: true, describe: `JWT: seconds of clock skew allowed for exp / nbf [default: ${DEFAULT_CLOCK_TOLERANCE_S}]` })
      .option('fail-rate', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Reject this fraction (0..1) of new streams before any echo, with --fail-status (default UNAVAILABLE)' })
      .option('fail-status', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'gRPC status name rejected and aborted streams end with [default: UNAVAILABLE for --fail-rate, ABORTED for --abort-after]' })
      .option('fail-reason', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: `ErrorInfo reason in the grpc-status-details-bin trailer (domain grpc-stream-bench); details "injected fault: REASON" [default: ${DEFAULT_FAIL_REASON}]` })
      .option('retry-after', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Rejections also carry a RetryInfo with this delay, ms (needs --fail-rate)' })
      .option('abort-after', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'End every stream after this many echoes with --fail-status (default ABORTED)' })
      .option('drop-rate', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Never echo this fraction (0..1) of notes' })
      .option('stall-every', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Every this many seconds from start, hold all echoes for --stall-ms, then send them in order' })
      .option('stall-ms', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'How long each stall lasts, ms (less than --stall-every)' })
      .option('max-connection-age', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Send each connection a GOAWAY (NO_ERROR) this many seconds after it opened; open streams may finish, new ones need a new connection' })
      .option('max-connection-age-grace', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'Seconds after that GOAWAY until the connection is closed with the streams still on it [default: never]' })
      .option('fault-seed', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: `Seed of the rejections and drops: the same seed and arrival order give the same faults [default: ${DEFAULT_FAULT_SEED}]` })
      .option('stats', { type: 'string', requiresArg: true, group: 'Fault injection:', describe: 'At shutdown, write what the faults did (streams, rejections, aborts, drops, stalls, aged-out connections) as JSON to this file' })
      .option('prometheus', { type: 'string', requiresArg: true, group: 'Metrics:', describe: 'Serve Prometheus metrics (streams, echoes, connections, rejections, faults, CPU) at http://HOST:PORT/metrics; 0 picks a free port. The URL goes to stderr' })
      .option('prometheus-host', { type: 'string', default: '127.0.0.1', group: 'Metrics:', describe: 'Address of the metrics endpoint (loopback unless --allow-remote)' })
      .example('$0 serve', 'Listen on 127.0.0.1:50051')
      .example('$0 serve --port 0 --window 1MiB', 'Free port, 1 MiB flow-control windows')
      .example('$0 serve --tls-cert server.pem --tls-key server-key.pem --tls-client-ca ca.pem', 'mTLS')
      .example('$0 serve --prometheus 9464', 'Metrics at http://127.0.0.1:9464/metrics')
      .example('$0 serve --instances 2 --port 50051 --cpus 0,1', 'Two echo-server processes on 50051 and 50052, pinned to CPUs 0 and 1')
      .example('$0 serve --fail-rate 0.1 --fail-reason OVERLOADED --retry-after 250 --stats faults.json', 'Reject 10% of streams with UNAVAILABLE and a retry hint')
      .example('$0 serve --tls-cert server.pem --tls-key server-key.pem --jwt-public-key jwt.pub.pem --jwt-issuer bench --require-role bench', 'TLS + JWT with a role'),
  handler: async (args) => {
    if (!args['allow-remote'] && !isLoopback(args.host)) {
      throw new ConfigError(`--host ${args.host} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to listen elsewhere`);
    }
    const port = checkInteger('--port', args.port, 0, 65_535);
    const instances = args.instances === undefined ? 1 : checkInstances('--instances', args.instances);
    const ports = fleetPorts('--port', port, instances);
    const fleetCpus = args.cpus === undefined ? null : await checkServeCpus(args.cpus);
    const window = args.window === undefined ? null : checkBytes('--window', args.window, MIN_WINDOW, MAX_WINDOW);
    const maxMessageSize =
      args['max-message-size'] === undefined ? DEFAULT_MAX_MESSAGE_SIZE : checkBytes('--max-message-size', args['max-message-size'], 1024, 2 ** 31 - 1);
    const delayMs = args['delay-ms'] === undefined ? 0 : checkInteger('--delay-ms', args['delay-ms'], 0, 60_000);
    const graceMs = args['grace-ms'] === undefined ? 5_000 : checkNumber('--grace-ms', args['grace-ms'], -1, 600_000);

    const faultOptions = resolveFaultOptions(args);
    const statsPath = args.stats === undefined ? undefined : checkStatsPath(args.stats);
    const prometheusPort = args.prometheus === undefined ? undefined : checkInteger('--prometheus', args.prometheus, 0, 65_535);
    // With --instances N, instance i serves its metrics on PORT + i (0: each a free port).
    const metricsPorts = prometheusPort === undefined ? null : fleetPorts('--prometheus', prometheusPort, instances); // PORT + i; 0 stays 0 (free ports)
    const prometheusHost: unknown = args['prometheus-host'];
    if (typeof prometheusHost !== 'string' || prometheusHost === '') throw new ConfigError(`--prometheus-host must be one address, got ${JSON.stringify(prometheusHost)}`);
    if (prometheusPort !== undefined && !args['allow-remote'] && !isLoopback(prometheusHost)) {
      throw new ConfigError(`--prometheus-host ${prometheusHost} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to serve metrics elsewhere`);
    }

    const { tls, auth } = await resolveServerSecurity(args, readFlagFile);
    if (instances > 1) return serveFleet({ argv: hideBin(process.argv), ports, cpus: fleetCpus, prometheusPorts: metricsPorts, statsPath, graceMs });
    if (fleetCpus !== null) await pinSelf(fleetCpus[0] as number);

    const counts = createAuthCounts();
    /** The status each refusal reason was sent with, for the metrics. */
    const authStatusByReason = new Map<string, string>();
    const log = createRateLimitedLog({
      write: (line) => process.stderr.write(`${line}\n`),
      summarize: (reason, count) => `auth: rejected: ${reason}: ${count} more suppressed (at most one line per reason per second)`,
      intervalMs: 1_000,
    });
    const onAuthEvent = ({ decision, method, peer }: AuthEvent): void => {
      countAuthDecision(counts, decision);
      if (!decision.accepted) {
        authStatusByReason.set(decision.reason, decision.code);
        log.note(decision.reason, `auth: rejected ${method} from ${peer}: ${decision.code} ${decision.reason}`);
      }
    };
    // Without a fault flag or --stats the server runs the plain echo handler, untouched.
    const faults = injectsFaults(faultOptions) || statsPath !== undefined ? createFaultInjector(faultOptions) : undefined;
    // With --prometheus the server counts connections too (the echo handler counts streams and echoes anyway).
    const counters = prometheusPort === undefined ? undefined : createEchoCounters();
    const server = await startEchoServer({ host: args.host, port, window, maxMessageSize, delayMs, tls, auth, onAuthEvent, faults, counters });
    let metrics: MetricsServer | undefined;
    if (prometheusPort !== undefined) {
      // Loaded only when asked for: prom-client adds ~60 ms to every start (the resilience tests restart servers against the clock).
      const [{ createServerMetrics }, { serveMetrics }] = await Promise.all([import('../observe/prometheus/server-metrics.js'), import('../observe/prometheus/metrics-server.js')]);
      const registry = createServerMetrics({ counters: server.counters, auth: auth === undefined ? undefined : { counts, statusByReason: authStatusByReason }, faults });
      try {
        metrics = await serveMetrics(registry, { port: prometheusPort, host: prometheusHost });
      } catch (error: unknown) {
        await server.shutdown(0);
        throw error;
      }
      process.stderr.write(`metrics on ${metrics.url}\n`);
    }
    if (tls !== undefined || auth !== undefined) {
      const transport = tls === undefined ? 'plaintext' : tls.clientCa === undefined ? 'TLS' : 'mTLS (client certificates required)';
      process.stderr.write(`security: ${transport}; ${auth === undefined ? 'no JWT' : auth.description}\n`);
    }
    // Handlers first, then the ready line: a script may signal the moment it reads the line.
    // First signal: stop accepting and give open streams the grace period; a second one closes them now.
    const stopped = new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return void server.shutdown(0).then(resolve);
        stopping = true;
        void server.shutdown(graceMs).then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      if (args['stop-on-stdin-end']) {
        process.stdin.once('end', stop);
        process.stdin.resume();
      }
    });
    process.stdout.write(`${listeningLine(formatTarget({ host: server.host, port: server.port }))}\n`);
    await stopped;
    await metrics?.close();
    if (auth !== undefined) {
      log.flush();
      process.stderr.write(`${renderAuthSummary(counts)}\n`);
    }
    if (faults !== undefined) {
      const stats = faults.stop();
      process.stderr.write(`${renderFaultSummary(stats)}\n`);
      if (statsPath !== undefined) writeFileAtomic(statsPath, `${JSON.stringify(stats, null, 2)}\n`);
    }
  },
};

/** --cpus: taskset must be there, and every CPU one this process may run on. */
async function checkServeCpus(value: string): Promise<number[]> {
  // Loaded only when asked for: it runs getconf when loaded.
  const { canPin, originalAffinity } = await import('../load/cpu-affinity.js');
  if (!canPin()) throw new ConfigError(`--cpus needs taskset (util-linux) on Linux; it is not available here (${process.platform})`);
  const allowed = originalAffinity();
  const available = allowed === null ? Array.from({ length: cpus().length }, (_, i) => i) : expandCpuList(allowed);
  return checkFleetCpus('--cpus', value, available);
}

/** A single instance with --cpus runs on the first CPU of the list. */
async function pinSelf(cpu: number): Promise<void> {
  const { pinProcess } = await import('../load/cpu-affinity.js');
  try {
    pinProcess(process.pid, String(cpu));
  } catch (error: unknown) {
    const why = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : describeError(error);
    throw new ConfigError(`--cpus: taskset could not pin the server to CPU ${cpu} (${why})`);
  }
}

/** --stats: a file path whose directory exists (or can be made) and is writable; checked before listening. */
function checkStatsPath(path: string): string {
  if (Array.isArray(path)) throw new ConfigError(`--stats was given ${(path as unknown[]).length} times; give it once`);
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
    mkdirSync(dirname(path), { recursive: true });
    accessSync(dirname(path), fsConstants.W_OK);
  } catch (error: unknown) {
    throw new ConfigError(`--stats ${path}: cannot write the file there (${describeError(error)})`);
  }
  return path;
}

/** The bytes of a file a flag names, or a ConfigError naming the flag, the file and why. */
function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    throw new ConfigError(`${flag} ${path}: cannot read the file (${describeError(error)})`);
  }
}
