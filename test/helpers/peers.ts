/**
 * The seed's Go RouteChat servers (grpc-go), built into `.peers/` by
 * `bash ../shared/peers/build.sh .peers` (CI does it before `npm test`), as non-JavaScript peers.
 * Tests that need them are skipped with GO_PEERS_SKIP, never silently passed, where they are missing.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, type ServerProcess } from './cli.js';

/** `plain` rejects gzip requests with UNIMPLEMENTED; `gzip` accepts them and answers gzip-compressed. */
export type GoServerKind = 'plain' | 'gzip';

export const PEERS_DIR = join(ROOT, '.peers');
const BINARIES: Record<GoServerKind, string> = { plain: 'seed-server', gzip: 'seed-server-gzip' };
const START_TIMEOUT_MS = 15_000;
const KILL_AFTER_MS = 5_000;

/** The path of a Go server binary. */
export function goServerPath(kind: GoServerKind): string {
  return join(PEERS_DIR, BINARIES[kind]);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether both Go servers are built and executable. */
export const GO_PEERS_BUILT = (Object.keys(BINARIES) as GoServerKind[]).every((kind) => isExecutableFile(goServerPath(kind)));

/** The `skip` option for tests that need the Go servers: false when they are built, else the reason. */
export const GO_PEERS_SKIP: string | false = GO_PEERS_BUILT
  ? false
  : `the Go peers (.peers/${BINARIES.plain}, .peers/${BINARIES.gzip}) are not built: build with bash ../shared/peers/build.sh .peers`;

/**
 * Starts a Go seed server on a free loopback port and waits for its
 * `... server listening at HOST:PORT` line on stderr (a hang guard of 15 s). `lines` gets every
 * later line of stdout and stderr; stop() sends SIGTERM (SIGKILL 5 s later) and resolves with the exit code.
 */
export function startGoServer(kind: GoServerKind, timeoutMs = START_TIMEOUT_MS): Promise<ServerProcess> {
  const path = goServerPath(kind);
  const child = spawn(path, ['-port', '0'], { cwd: ROOT, env: { ...process.env, QUIET: '1', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const early: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path} did not print "server listening at" within ${timeoutMs} ms: ${early.join('\n')}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${path}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${path} exited (${code ?? signal}) before it was ready: ${early.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => (ready ? lines.push(line) : early.push(line)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (ready) return void lines.push(line);
      early.push(line);
      const match = /server listening at (\S+):(\d+)\s*$/.exec(line);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        child,
        port: Number(match[2]),
        target: `${match[1]}:${match[2]}`,
        lines,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return exited;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}
