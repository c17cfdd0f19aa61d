import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BenchError } from '../errors.js';
import { parseInstancePidLine, parseListeningLine } from '../fleet/fleet-lines.js';
import { canPin, originalAffinity, processCpuUs } from './cpu-affinity.js';
import { killOnExit } from './kill-on-exit.js';
import { childExecArgv, siblingModule } from './module-path.js';

export interface EmbeddedServerOptions {
  host: string;
  window: number | null;
  maxMessageSize: number;
  delayMs: number;
  /** taskset CPU list, or null to leave the server unpinned. */
  cpus: string | null;
  /** `serve` flags for TLS and JWT checks (see security/throwaway-material.ts); [] for plaintext. */
  securityArgs: string[];
  /**
   * Echo-server processes [default: 1]. More than one: a `serve --instances N` fleet, its parent
   * started (and pinned to `cpus`) as the single server is, its instances round robin over `cpus`.
   */
  instances?: number;
}

export interface EmbeddedServer {
  /** The server process (of a fleet: its parent). */
  pid: number;
  /** `HOST:PORT`; of a fleet, every instance's address, comma-separated, in instance order. */
  target: string;
  /** Every instance's `HOST:PORT`, in instance order (one for a single server). */
  targets: string[];
  /** CPU time the server process (of a fleet: the parent and every instance) has used so far, µs, or null where unknown. */
  cpuUs(): number | null;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

const STOP_TIMEOUT_MS = 5_000;

/** The `serve` arguments for these options. */
export function serveArgs(options: EmbeddedServerOptions): string[] {
  const args = ['serve', '--host', options.host, '--port', '0', '--max-message-size', String(options.maxMessageSize)];
  if (options.window !== null) args.push('--window', String(options.window));
  if (options.delayMs > 0) args.push('--delay-ms', String(options.delayMs));
  args.push(...options.securityArgs);
  const instances = options.instances ?? 1;
  if (instances > 1) {
    args.push('--instances', String(instances));
    if (options.cpus !== null) args.push('--cpus', options.cpus);
  }
  return args;
}

/**
 * CPU time of a fleet: its parent and every instance. An instance that has exited keeps the last
 * time read from it, so the sum never goes backwards.
 */
function fleetCpuUs(pids: readonly number[]): () => number | null {
  const last = new Map<number, number>();
  return () => {
    let known = false;
    for (const pid of pids) {
      const us = processCpuUs(pid);
      if (us !== null) last.set(pid, us);
      known ||= last.has(pid);
    }
    return known ? [...last.values()].reduce((a, b) => a + b, 0) : null;
  };
}

/**
 * Starts the echo server as a child process (its own event loop, optionally pinned with
 * taskset) and resolves once it printed `listening on HOST:PORT`.
 */
export function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const cli = siblingModule(import.meta.url, '../cli/main.js');
  const node = [...childExecArgv(import.meta.url), cli, ...serveArgs(options)];
  // Unpinned still means an explicit mask: the CPUs this process had before the generator was
  // pinned, so a server started after pinning does not inherit the generator's CPUs.
  const cpus = options.cpus ?? (canPin() ? originalAffinity() : null);
  const child: ChildProcess = cpus
    ? spawn('taskset', ['-c', cpus, process.execPath, ...node], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, node, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise<EmbeddedServer>((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new BenchError(`embedded echo server ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    const instances = options.instances ?? 1;
    // Every instance is a Node process loading grpc-js: allow for them starting side by side.
    const readyTimeoutMs = READY_TIMEOUT_MS + (instances - 1) * 1_000;
    const timer = setTimeout(() => fail(`did not report "listening on" within ${readyTimeoutMs} ms`), readyTimeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(`could not start (${error.message})`);
    });
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      fail(`exited before it was ready (code ${code}, signal ${signal})`);
    };
    child.once('exit', onEarlyExit);
    // One `listening on` line per instance on stdout; a fleet also names each instance's pid on stderr.
    const targets: string[] = [];
    const instancePids: number[] = [];
    const ready = (): void => {
      if (targets.length < instances || (instances > 1 && instancePids.length < instances)) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const pid = child.pid as number;
      resolve({
        pid,
        target: targets.join(','),
        targets: [...targets],
        cpuUs: instances > 1 ? fleetCpuUs([pid, ...instancePids]) : () => processCpuUs(pid),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(killer);
        },
      });
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const target = parseListeningLine(line);
      if (target === null || targets.length >= instances) return;
      targets.push(target);
      ready();
    });
    if (instances > 1) {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        const instance = parseInstancePidLine(line);
        if (instance === null || instancePids.length >= instances) return;
        instancePids.push(instance.pid);
        ready();
      });
    }
  });
}
