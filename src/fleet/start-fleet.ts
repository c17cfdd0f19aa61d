/**
 * Starts and supervises the echo-server processes of a fleet: one `serve --instances 1` child
 * per instance (optionally pinned with taskset), each in its own process group so a terminal's
 * Ctrl-C reaches only the parent, which stops them in order. Each child watches its stdin: when
 * the parent is gone (killed by any means) the pipe closes and the child stops itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BenchError, ConfigError, ExitCode } from '../errors.js';
import { killOnExit } from '../load/kill-on-exit.js';
import { childExecArgv, siblingModule } from '../load/module-path.js';
import { describeExit, parseListeningLine } from './fleet-lines.js';

/** The hidden `serve` flag a fleet's instances get: stop when stdin ends (the parent is gone). */
export const STOP_ON_STDIN_END_FLAG = '--stop-on-stdin-end';

export interface FleetOptions {
  /** The `serve` arguments of each instance (see instanceArgs); one entry per instance. */
  args: readonly (readonly string[])[];
  /** The CPU each instance is pinned to (taskset -c), or null. */
  cpus: readonly (number | null)[];
  /** Every line an instance writes to stderr (and any stdout line other than its ready line). */
  onLine: (index: number, line: string) => void;
  /** An instance exited while the fleet was not being stopped. */
  onUnexpectedExit: (instance: FleetInstance, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long every instance has to print its ready line [default: 15 s]. */
  readyTimeoutMs?: number;
}

export interface FleetInstance {
  index: number;
  pid: number;
  /** `HOST:PORT` from its ready line (the bound port when it was started on port 0). */
  target: string;
}

export interface RunningFleet {
  instances: readonly FleetInstance[];
  /** Instances still running. */
  alive(): number;
  /**
   * Stops every instance: SIGTERM (open streams get their grace period), SIGKILL after
   * `killAfterMs`; a second call sends SIGTERM again (instances then close streams at once).
   * Resolves once all have exited.
   */
  stop(killAfterMs: number): Promise<void>;
  /** Resolves once every instance has exited, for whatever reason. */
  exited: Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STDERR_TAIL = 2_000;

interface Member {
  index: number;
  child: ChildProcess;
  exited: Promise<void>;
  stderrTail: string;
  target: string | null;
}


const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function spawnInstance(index: number, args: readonly string[], cpu: number | null, options: FleetOptions): Member {
  const cli = siblingModule(import.meta.url, '../cli/main.js');
  const node = [...childExecArgv(import.meta.url), cli, ...args, STOP_ON_STDIN_END_FLAG];
  const stdio: ['pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe'];
  const child =
    cpu === null
      ? spawn(process.execPath, node, { stdio, detached: true })
      : spawn('taskset', ['-c', String(cpu), process.execPath, ...node], { stdio, detached: true });
  killOnExit(child);
  // Nothing is ever written: the pipe only tells the child this process is alive. Errors on it
  // (the child gone first) are expected.
  child.stdin?.on('error', () => undefined);
  const member: Member = {
    index,
    child,
    exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
    stderrTail: '',
    target: null,
  };
  createInterface({ input: child.stderr! }).on('line', (line) => {
    member.stderrTail = `${member.stderrTail}${line}\n`.slice(-STDERR_TAIL);
    options.onLine(index, line);
  });
  return member;
}

/** Resolves with the instance's address once it printed its ready line; rejects if it exits or errs first. */
function whenReady(member: Member): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const { child } = member;
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Let the last stderr lines arrive before quoting them.
      setTimeout(() => reject(startFailure(member, `exited before it was ready (${describeExit(code, signal)})`, code)), 50);
    };
    child.once('exit', onExit);
    child.once('error', (error) => reject(startFailure(member, `could not be started (${error.message})`, null)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const target = parseListeningLine(line);
      if (target === null || member.target !== null) return;
      member.target = target;
      child.off('exit', onExit);
      resolve(target);
    });
  });
}

function startFailure(member: Member, why: string, code: number | null): BenchError {
  const tail = member.stderrTail.trim();
  const message = `fleet instance ${member.index} ${why}${tail === '' ? '' : `: ${tail}`}`;
  // An instance that refused its arguments (exit 2) is bad input to the fleet too.
  return code === ExitCode.invalidArguments ? new ConfigError(message) : new BenchError(message);
}

async function killAll(members: readonly Member[]): Promise<void> {
  for (const m of members) if (isRunning(m.child)) m.child.kill('SIGKILL');
  await Promise.all(members.map((m) => m.exited));
}

/**
 * Starts every instance at once and resolves when all printed their ready line. If one fails
 * (exits, cannot be spawned, or is not ready in time) the others are killed and the promise
 * rejects naming the instance and quoting its stderr.
 */
export async function startFleet(options: FleetOptions): Promise<RunningFleet> {
  const members = options.args.map((args, i) => spawnInstance(i, args, options.cpus[i] ?? null, options));
  // Every instance is a Node process loading grpc-js: allow for them starting side by side.
  const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS + (members.length - 1) * 1_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const late = members.filter((m) => m.target === null).map((m) => m.index);
      reject(new BenchError(`fleet instances ${late.join(', ')} did not report "listening on" within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  let targets: string[];
  try {
    targets = await Promise.race([Promise.all(members.map(whenReady)), timeout]);
  } catch (error: unknown) {
    await killAll(members);
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const instances: FleetInstance[] = members.map((m, i) => ({ index: m.index, pid: m.child.pid as number, target: targets[i] as string }));
  let stopping = false;
  for (const m of members) {
    m.child.once('exit', (code, signal) => {
      if (!stopping) options.onUnexpectedExit(instances[m.index] as FleetInstance, code, signal);
    });
  }
  const exited = Promise.all(members.map((m) => m.exited)).then(() => undefined);
  let killer: NodeJS.Timeout | undefined;
  void exited.then(() => clearTimeout(killer));
  return {
    instances,
    alive: () => members.filter((m) => isRunning(m.child)).length,
    stop: (killAfterMs) => {
      const first = !stopping;
      stopping = true;
      for (const m of members) if (isRunning(m.child)) m.child.kill('SIGTERM');
      if (first) {
        killer = setTimeout(() => {
          for (const m of members) if (isRunning(m.child)) m.child.kill('SIGKILL');
        }, killAfterMs);
      }
      return exited;
    },
    exited,
  };
}
