import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BenchError } from '../errors.js';
import { canPin, originalAffinity, processCpuUs } from './cpu-affinity.js';
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
}

export interface EmbeddedServer {
  pid: number;
  target: string;
  /** CPU time the server process has used so far, µs, or null where unknown. */
  cpuUs(): number | null;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

/** Servers still running; killed if this process exits any way at all (a second Ctrl-C included). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) server.kill('SIGKILL');
  });
}
const STOP_TIMEOUT_MS = 5_000;

/** The `serve` arguments for these options. */
export function serveArgs(options: EmbeddedServerOptions): string[] {
  const args = ['serve', '--host', options.host, '--port', '0', '--max-message-size', String(options.maxMessageSize)];
  if (options.window !== null) args.push('--window', String(options.window));
  if (options.delayMs > 0) args.push('--delay-ms', String(options.delayMs));
  args.push(...options.securityArgs);
  return args;
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
  track(child);
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
    const timer = setTimeout(() => fail(`did not report "listening on" within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(`could not start (${error.message})`);
    });
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      fail(`exited before it was ready (code ${code}, signal ${signal})`);
    };
    child.once('exit', onEarlyExit);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^listening on (.+):(\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const pid = child.pid as number;
      resolve({
        pid,
        target: `${match[1]}:${match[2]}`,
        cpuUs: () => processCpuUs(pid),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}
