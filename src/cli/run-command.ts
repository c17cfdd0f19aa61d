import type { Argv, CommandModule } from 'yargs';
import type { RunOptions, Unchecked } from '../config/run-options.js';
import { measureRun, prepareRun, runExitCode } from '../load/measure-run.js';
import { defaultResultsPath } from '../results/run-file.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { renderRunSummary } from '../report/run-summary.js';
import { COMPRESSIONS, type RunResultsFile } from '../types.js';
import { SECURITY_MODES } from '../security/security-mode.js';
import { ProgressLine } from './progress.js';
import { openObservers, withObserveFlags, type ObserveFlags } from './observe-flags.js';
import { securityOptionsFromFlags, withSecurityFlags, type SecurityFlags } from './security-flags.js';
import { resilienceOptionsFromFlags, withResilienceFlags, type ResilienceFlags } from './resilience-flags.js';
import { onInterrupt } from './interrupt.js';
import { shardOptionsFromFlags, withShardFlags, type ShardFlags } from './shard-flags.js';

export interface RunFlags extends SecurityFlags, ResilienceFlags {
  target?: string;
  'allow-remote': boolean;
  'allow-partial': boolean;
  lb?: string;
  engine?: string;
  security?: string;
  workers?: string;
  connections?: string;
  streams?: string;
  'in-flight'?: string;
  rate?: string;
  size?: string;
  compressibility?: string;
  compression?: string;
  window?: string;
  'max-message-size'?: string;
  'messages-per-stream'?: string;
  'connection-churn'?: string;
  warmup?: string;
  duration?: string;
  messages?: string;
  verify: boolean;
  pacing?: string;
  timeout?: string;
  'drain-timeout'?: string;
  instances?: string;
  'server-cpus'?: string;
  'client-cpus'?: string;
  'worker-heap'?: string;
  'worker-young'?: string;
}

/** The `run` load flags, shared with commands that run load (sweep, check). */
export function withRunFlags<T>(y: Argv<T>): Argv<T & RunFlags> {
  const text = { type: 'string' as const, requiresArg: true };
  return withResilienceFlags(withSecurityFlags(y))
    .option('target', { ...text, describe: 'RouteChat server HOST:PORT, a comma-separated list of them, or dns:///NAME:PORT (all its addresses); omitted: start the embedded echo server' })
    .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a non-loopback --target' })
    .option('allow-partial', { type: 'boolean', default: false, describe: 'Drop unreachable members of a --target list (with a warning) instead of failing; at least one must answer' })
    .option('lb', { ...text, describe: 'Load balancing over the target addresses: pick_first or round_robin [default: round_robin for several addresses, pick_first for one]' })
    .option('security', { ...text, describe: `${SECURITY_MODES.join(', ')}: the embedded server gets throwaway certificates and a signing key for it; with --target it must agree with the TLS and token flags [default: plaintext, or what those flags make it]` })
    .option('engine', { ...text, describe: `Client engine: h2 (lean gRPC on node:http2, measures the server) or grpc-js (what a grpc-js client experiences) [default: h2]` })
    .option('workers', { ...text, describe: 'Worker threads generating load [default: 1]' })
    .option('connections', { ...text, describe: 'TCP connections (channels), spread over workers [default: workers]' })
    .option('streams', { ...text, describe: 'Concurrent RouteChat streams, spread over connections [default: connections]' })
    .option('in-flight', { ...text, describe: 'Messages outstanding per stream; 1 = ping-pong. With --rate: the cap [default: 1, with --rate 1024]' })
    .option('rate', { ...text, describe: 'Open loop: total messages/s on a fixed schedule, latency from intended send time' })
    .option('size', { ...text, describe: 'RouteNote.message length in bytes (16, 1KiB, 1MiB) [default: 16]' })
    .option('compressibility', { ...text, describe: 'How much gzip shrinks each payload, percent 0-100 (printable ASCII: at least ~15) [default: 50]' })
    .option('compression', { ...text, describe: `Request compression: ${COMPRESSIONS.join(', ')} [default: identity]` })
    .option('window', { ...text, describe: 'HTTP/2 flow-control window in bytes, client and embedded server [default: 64 KiB]' })
    .option('max-message-size', { ...text, describe: 'Largest message sent or received, bytes [default: 4MiB]' })
    .option('messages-per-stream', { ...text, describe: 'Stream churn: half-close each RouteChat call after this many echoes and open a new one [default: unlimited]' })
    .option('connection-churn', { ...text, describe: 'Connection churn: after a connection carried this many streams (calls), new ones go to a fresh connection; the old one closes once its calls ended [default: keep connections]' })
    .option('warmup', { ...text, describe: 'Seconds of load excluded from all figures [default: 1]' })
    .option('duration', { ...text, describe: 'Measured seconds after the warm-up [default: 10]' })
    .option('messages', { ...text, describe: 'Stop after this many measured messages instead of a duration' })
    .option('verify', { type: 'boolean', default: false, describe: 'Check every echo equals "Server received: " + sent' })
    .option('pacing', { ...text, describe: 'Open-loop pacing: spin (busy-waits the last ~1 ms before each send, sends within tens of µs) or timer (~1 ms resolution, idle CPU) [default: spin]' })
    .option('timeout', { ...text, describe: 'Hard limit on the load phase, seconds [default: warm-up + duration + 32, or 600]' })
    .option('drain-timeout', { ...text, describe: 'Seconds to wait for outstanding echoes after sending stops [default: 2]' })
    .option('instances', { ...text, describe: 'Embedded server: this many echo-server processes (1-64) on free ports, like serve --instances; the run targets all of them [default: 1]' })
    .option('server-cpus', { ...text, describe: 'CPUs for the embedded server (taskset list), "none" to not pin [default: first half]' })
    .option('client-cpus', { ...text, describe: 'CPUs for the generator (taskset list), "none" to not pin [default: second half]' })
    .option('worker-heap', { ...text, describe: "Cap on each worker thread's V8 old generation, MiB (or 2GiB): bounds the generator's memory at the cost of more GC; a worker that needs more fails the run [default: V8's]" })
    .option('worker-young', { ...text, describe: "Each worker thread's V8 young generation, MiB: larger lets per-message objects die young (less GC CPU, more memory) [default: V8's]" }) as Argv<T & RunFlags>;
}

/** Flags (kebab-case) → run options (camelCase), as the programmatic API takes them; unchecked. */
export function runOptionsFromFlags(f: RunFlags): Unchecked<RunOptions> {
  return {
    target: f.target,
    allowRemote: f['allow-remote'],
    allowPartial: f['allow-partial'],
    lb: f.lb,
    ...securityOptionsFromFlags(f),
    ...resilienceOptionsFromFlags(f),
    engine: f.engine,
    security: f.security,
    workers: f.workers,
    connections: f.connections,
    streams: f.streams,
    inFlight: f['in-flight'],
    rate: f.rate,
    size: f.size,
    compressibility: f.compressibility,
    compression: f.compression,
    window: f.window,
    maxMessageSize: f['max-message-size'],
    messagesPerStream: f['messages-per-stream'],
    connectionChurn: f['connection-churn'],
    warmup: f.warmup,
    duration: f.duration,
    messages: f.messages,
    verify: f.verify,
    pacing: f.pacing,
    timeout: f.timeout,
    drainTimeout: f['drain-timeout'],
    instances: f.instances,
    serverCpus: f['server-cpus'],
    clientCpus: f['client-cpus'],
    workerHeap: f['worker-heap'],
    workerYoung: f['worker-young'],
  };
}

type RunArgs = RunFlags & ShardFlags & ObserveFlags & { out?: string; json: boolean };

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'One load run: many RouteChat streams, HDR latency, throughput, results file',
  builder: (y) =>
    withShardFlags(withObserveFlags(withRunFlags(y)))
      .option('out', { type: 'string', requiresArg: true, describe: 'Results file [default: results/<timestamp>-run.json]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the results document instead of the summary' })
      .example('$0 run', '10 s ping-pong against the embedded echo server')
      .example('$0 run --streams 16 --in-flight 64 --size 1KiB', 'Pipelined load')
      .example('$0 run --rate 5000 --streams 8 --duration 30', 'Open loop at 5000 msgs/s')
      .example('$0 run --target 127.0.0.1:50051 --compression gzip', 'Drive another RouteChat server') as Argv<RunArgs>,
  handler: async (args) => {
    const prepared = prepareRun({ ...runOptionsFromFlags(args), ...shardOptionsFromFlags(args) });
    const controller = new AbortController();
    const progress = new ProgressLine();
    const observer = await openObservers(args, 'run');
    const release = onInterrupt(() => controller.abort());
    let file: RunResultsFile;
    try {
      try {
        file = await measureRun(prepared, { signal: controller.signal, observer: observer ?? undefined, onProgress: (p) => progress.update(p) });
      } finally {
        release();
        progress.clear();
      }
      const run = file.run;
      const path = args.out ?? defaultResultsPath('run');
      writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
      observer?.finished?.(path);
      if (args.json) process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
      else process.stdout.write(`${renderRunSummary(run)}\nresults    ${path}\n`);
    } finally {
      await observer?.close();
    }
    process.exitCode = runExitCode(file.run);
  },
};
