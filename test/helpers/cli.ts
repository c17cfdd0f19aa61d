import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Gets the child process as soon as it is spawned (to signal it). */
  onStart?: (child: ChildProcess) => void;
}

/** Runs the built CLI to completion; kills it after timeoutMs (a hang guard, not a measurement). */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onStart?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`grpc-stream-bench ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  target: string;
  port: number;
  /** Lines printed after "listening on". */
  lines: string[];
  stop(): Promise<number | null>;
}

/** Starts a server process and waits for its `listening on HOST:PORT` line. */
export function startServerProcess(command: string, args: string[], timeoutMs = 15_000): Promise<ServerProcess> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let ready = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (ready) return void lines.push(line);
      const match = /^listening on (.+):(\d+)$/.exec(line);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        child,
        port: Number(match[2]),
        target: `${match[1]}:${match[2]}`,
        lines,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.once('exit', (code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before it was ready: ${stderr}`));
      }
    });
  });
}

/** Whether processes can be pinned here (Linux, taskset, at least 2 CPUs). */
export const CAN_PIN = process.platform === 'linux' && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

/** The echo server of this project, as a separate process; pinned to `cpus` where pinning works. */
export function startEchoServe(extraArgs: string[] = [], options: { cpus?: string } = {}): Promise<ServerProcess> {
  const args = [CLI, 'serve', '--port', '0', ...extraArgs];
  if (options.cpus !== undefined && CAN_PIN) return startServerProcess('taskset', ['-c', options.cpus, process.execPath, ...args]);
  return startServerProcess(process.execPath, args);
}

/** The raw-http2 fault server fixture, as a separate process. */
export function startRawServer(mode: string, ...args: string[]): Promise<ServerProcess> {
  const fixture = join(ROOT, 'test/fixtures/raw-route-chat-server.ts');
  return startServerProcess(process.execPath, ['--import', 'tsx', fixture, mode, ...args]);
}

/** Whether a process with this pid exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gsb-test-'));
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Servers started on first use under a key and shared by the tests of a file; `stopAll` in `after`. */
export function serverPool(): { shared: (key: string, start: () => Promise<ServerProcess>) => Promise<ServerProcess>; stopAll: () => Promise<void> } {
  const servers = new Map<string, Promise<ServerProcess>>();
  return {
    shared: (key, start) => {
      let server = servers.get(key);
      if (server === undefined) {
        server = start();
        servers.set(key, server);
      }
      return server;
    },
    stopAll: async () => {
      const started = await Promise.allSettled(servers.values());
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    },
  };
}
