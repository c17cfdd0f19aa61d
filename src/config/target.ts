import { ConfigError } from '../errors.js';

export interface TargetAddress {
  host: string;
  port: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1']);

/** Whether a host is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  if (LOOPBACK_NAMES.has(host)) return true;
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Parses HOST:PORT or [V6]:PORT. Only loopback targets are accepted unless allowRemote is set. */
export function parseTarget(text: unknown, allowRemote = false): TargetAddress {
  if (typeof text !== 'string') throw new ConfigError(`--target must be HOST:PORT, got ${String(text)}`);
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port < 1 || port > 65_535) {
    throw new ConfigError(`--target must be HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:50051 or [::1]:50051), got "${text}"`);
  }
  if (!allowRemote && !isLoopback(host)) {
    throw new ConfigError(`--target ${text} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote server`);
  }
  return { host, port };
}

/** The grpc-js target string for an address. */
export function formatTarget({ host, port }: TargetAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
