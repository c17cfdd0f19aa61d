/**
 * `--target` as a list: comma-separated members, each `HOST:PORT`, `[V6]:PORT` or
 * `dns:///NAME:PORT` (resolved to all its addresses when the run starts). Pure: DNS is looked
 * up in `load/resolve-targets.ts`.
 */
import { ConfigError } from '../errors.js';
import { formatTarget, isLoopback, parseTarget, type TargetAddress } from './target.js';

export const LB_POLICIES = ['pick_first', 'round_robin'] as const;
export type LbPolicy = (typeof LB_POLICIES)[number];

/** One member of a target list: an address, or a DNS name to resolve to all its addresses. */
export type TargetMember = ({ kind: 'address' } | { kind: 'dns' }) & TargetAddress;

const DNS_PREFIX = 'dns:///';
export const MAX_TARGET_MEMBERS = 64;

/**
 * Parses a target list. Literal members must be loopback unless allowRemote; a DNS name must be
 * a loopback name (localhost) unless allowRemote (what it resolves to is checked again then).
 */
export function parseTargetList(text: unknown, allowRemote = false, name = '--target'): TargetMember[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigError(`${name} must be HOST:PORT, a comma-separated list of them, or dns:///NAME:PORT, got ${typeof text === 'string' ? '""' : String(text)}`);
  }
  const parts = text.split(',').map((p) => p.trim());
  // One plain address: the single-target messages (as before lists existed).
  if (parts.length === 1 && !text.trim().toLowerCase().startsWith('dns:')) {
    return [{ kind: 'address', ...parseTarget(text.trim(), allowRemote) }];
  }
  if (parts.some((p) => p === '')) {
    throw new ConfigError(`${name} has an empty member: give HOST:PORT members separated by single commas (e.g. 127.0.0.1:50051,127.0.0.1:50052), got "${text}"`);
  }
  if (parts.length > MAX_TARGET_MEMBERS) {
    throw new ConfigError(`${name} may list at most ${MAX_TARGET_MEMBERS} members, got ${parts.length}`);
  }
  const members = parts.map((part) => parseMember(part, allowRemote, name));
  const seen = new Set<string>();
  for (const member of members) {
    const key = formatMember(member);
    if (seen.has(key)) throw new ConfigError(`${name} lists ${key} twice; each member must be a different server, got "${text}"`);
    seen.add(key);
  }
  return members;
}

function parseMember(part: string, allowRemote: boolean, name: string): TargetMember {
  if (part.toLowerCase().startsWith('dns:')) {
    if (!part.startsWith(DNS_PREFIX)) {
      throw new ConfigError(`${name} member "${part}": a DNS member is written dns:///NAME:PORT (three slashes, no authority), e.g. dns:///localhost:50051`);
    }
    const address = parseAddress(part.slice(DNS_PREFIX.length), part, name);
    if (!allowRemote && !isLoopback(address.host)) {
      throw new ConfigError(`${name} member ${part} is not a loopback name (localhost) and may resolve to a remote server; pass --allow-remote to load remote servers`);
    }
    return { kind: 'dns', ...address };
  }
  const address = parseAddress(part, part, name);
  if (!allowRemote && !isLoopback(address.host)) {
    throw new ConfigError(`${name} member ${part} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote server`);
  }
  return { kind: 'address', ...address };
}

function parseAddress(text: string, member: string, name: string): TargetAddress {
  try {
    return parseTarget(text, true);
  } catch {
    throw new ConfigError(`${name} member "${member}" must be HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:50051, [::1]:50051 or dns:///localhost:50051)`);
  }
}

export function formatMember(member: TargetMember): string {
  const address = formatTarget(member);
  return member.kind === 'dns' ? `${DNS_PREFIX}${address}` : address;
}

/** The list in canonical form (as recorded in RunConfig.target). */
export function formatTargetList(members: readonly TargetMember[]): string {
  return members.map(formatMember).join(',');
}

/** Whether a target list may stand for several addresses (several members, or a DNS name). */
export function hasSeveralAddresses(members: readonly TargetMember[]): boolean {
  return members.length > 1 || members.some((m) => m.kind === 'dns');
}

/** The default policy: round_robin when there are several addresses, pick_first for one. */
export function defaultLb(members: readonly TargetMember[] | null): LbPolicy {
  return members !== null && hasSeveralAddresses(members) ? 'round_robin' : 'pick_first';
}
