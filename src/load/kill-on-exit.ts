import type { ChildProcess } from 'node:child_process';

/** Children still running; SIGKILLed if this process exits any way it can see (a second Ctrl-C included). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` when this process exits, unless it has exited by then. */
export function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}
