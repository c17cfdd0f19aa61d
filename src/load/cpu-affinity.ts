import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let original: string | null | undefined;

/** The CPUs this process could run on before the harness pinned it (read once, before any pinning). */
export function originalAffinity(): string | null {
  if (original === undefined) original = readAffinity(process.pid);
  return original;
}

/** Pins every thread of a process (taskset -a); threads created later inherit the mask. */
export function pinProcess(pid: number, cpus: string): void {
  if (pid === process.pid) originalAffinity();
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The CPU list a process may run on, as taskset reports it, or null where unknown. */
export function readAffinity(pid: number): string | null {
  try {
    const out = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
    return /:\s*([\d,-]+)\s*$/.exec(out.trim())?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Whether taskset can be used here. */
export function canPin(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU time of a process in µs, from /proc (clock-tick resolution), or null. */
export function processCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
