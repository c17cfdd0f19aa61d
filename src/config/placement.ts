import type { CpuPlacement } from '../types.js';

/**
 * Default CPU split for the embedded server and the generator: the first half of the CPUs
 * for the server, the rest for the generator. Pinning needs Linux and at least two CPUs.
 */
export function defaultCpuSplit(cpuCount: number, platform: string): { serverCpus: string; clientCpus: string } | null {
  if (platform !== 'linux' || cpuCount < 2) return null;
  const half = Math.floor(cpuCount / 2);
  const range = (from: number, to: number): string => (from === to ? String(from) : `${from}-${to}`);
  return { serverCpus: range(0, half - 1), clientCpus: range(half, cpuCount - 1) };
}

/** A placement record for a run that pins nothing. */
export function unpinned(note: string): CpuPlacement {
  return { pinned: false, serverCpus: null, clientCpus: null, note };
}
