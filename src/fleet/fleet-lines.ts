/**
 * The lines a fleet parent (`serve --instances N`) prints about its instances, and their parsing
 * (pure). stdout keeps the one-line-per-server format scripts parse (`listening on HOST:PORT`);
 * stderr says which process serves which address, for whoever measures the processes' CPU.
 */

/** The ready line of every echo server, single or in a fleet. */
export function listeningLine(target: string): string {
  return `listening on ${target}`;
}

/** `listening on HOST:PORT` → `HOST:PORT`, or null for any other line. */
export function parseListeningLine(line: string): string | null {
  return /^listening on (.+:\d+)$/.exec(line)?.[1] ?? null;
}

/** stderr line naming the process of an instance: `instance 0: pid 1234, listening on 127.0.0.1:50051`. */
export function instancePidLine(index: number, pid: number, target: string): string {
  return `instance ${index}: pid ${pid}, listening on ${target}`;
}

export interface InstancePid {
  index: number;
  pid: number;
  target: string;
}

/** The inverse of instancePidLine, or null for any other line. */
export function parseInstancePidLine(line: string): InstancePid | null {
  const match = /^instance (\d+): pid (\d+), listening on (.+:\d+)$/.exec(line);
  if (match === null) return null;
  return { index: Number(match[1]), pid: Number(match[2]), target: match[3] as string };
}

/** A line an instance wrote to its stderr, as the parent relays it: `[instance 2] …`. */
export function relayedLine(index: number, line: string): string {
  return `[instance ${index}] ${line}`;
}

/** How a process ended: "exit code 1", "killed by signal SIGKILL". */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by signal ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}
